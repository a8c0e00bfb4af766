/* Reports programs that an exec is about to start beyond LD_PRELOAD's reach (statically
 * linked, setuid, setgid), so that they are not lost silently: they run untraced. Runs on
 * the entry path before the execve, hence freestanding. */
#include "runtime_internal.h"
#include "session.h"

#define O_RDONLY_CLOEXEC 02000000
#define AT_FDCWD_VALUE (-100)
#define AT_EMPTY_PATH_FLAG 0x1000
#define S_ISUID_BIT 04000
#define S_ISGID_BIT 02000
#define S_IXGRP_BIT 00010
#define PT_INTERP_TYPE 3
#define MAX_PROGRAM_HEADERS 128

struct kernel_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    uint64_t times[6];
    int64_t unused[3];
};

static long sys(long nr, long a, long b, long c, long d) { return jpoline_raw_syscall6(nr, a, b, c, d, 0, 0); }

static int reason_for(int fd) {
    struct kernel_stat st;
    if (sys(NR_fstat, fd, (long)&st, 0, 0) != 0) return 0;
    if (st.mode & S_ISUID_BIT) return JPOLINE_UNREACHABLE_SETUID;
    if ((st.mode & S_ISGID_BIT) && (st.mode & S_IXGRP_BIT)) return JPOLINE_UNREACHABLE_SETGID;
    unsigned char header[64];
    if (sys(NR_pread64, fd, (long)header, sizeof header, 0) != (long)sizeof header) return 0;
    if (header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F' || header[4] != 2)
        return 0; /* a script: its interpreter is what runs, and it is checked when it execs */
    uint64_t phoff = 0;
    for (int i = 7; i >= 0; i--) phoff = phoff << 8 | header[32 + i];
    unsigned phentsize = header[54] | header[55] << 8, phnum = header[56] | header[57] << 8;
    if (phentsize < 4 || phnum > MAX_PROGRAM_HEADERS) return 0;
    for (unsigned i = 0; i < phnum; i++) {
        unsigned char type[4];
        if (sys(NR_pread64, fd, (long)type, 4, (long)(phoff + (uint64_t)i * phentsize)) != 4) return 0;
        if ((type[0] | type[1] << 8 | type[2] << 16 | (unsigned)type[3] << 24) == PT_INTERP_TYPE) return 0;
    }
    return JPOLINE_UNREACHABLE_STATIC;
}

void jp_check_exec_target(int dirfd, const char *path, int at_flags) {
    if (jp_session == 0 || path == 0) return;
    int fd = (int)(at_flags & AT_EMPTY_PATH_FLAG && path[0] == '\0'
                       ? dirfd
                       : sys(NR_openat, dirfd, (long)path, O_RDONLY_CLOEXEC, 0));
    if (fd < 0) return; /* the exec itself will fail and say why */
    int reason = reason_for(fd);
    if (fd != dirfd) sys(NR_close, fd, 0, 0, 0);
    if (reason == 0) return;
    uint32_t length = 0;
    while (path[length] != '\0' && length < 4096) length++;
    jp_session_request_with(JPOLINE_REQUEST_UNREACHABLE_EXEC, (uint64_t)reason, 0, path, length);
}
