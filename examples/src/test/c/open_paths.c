/* Opens each argument with openat2 (syscall(SYS_openat2): glibc has no wrapper for it), then
 * stats and lstats it; prints "CALL PATH: ok" or "CALL PATH: errno N" per call. "--root DIR PATH"
 * opens PATH with RESOLVE_IN_ROOT under DIR instead. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, const char *path, long r) {
    if (r < 0) printf("%s %s: errno %d\n", what, path, errno);
    else printf("%s %s: ok\n", what, path);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--root") == 0) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY;
        how.resolve = RESOLVE_IN_ROOT;
        int root = open(argv[2], O_RDONLY | O_DIRECTORY);
        long fd = syscall(SYS_openat2, root, argv[3], &how, sizeof how);
        report("openat2-in-root", argv[3], fd);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY;
        long fd = syscall(SYS_openat2, AT_FDCWD, argv[i], &how, sizeof how);
        report("openat2", argv[i], fd);
        if (fd >= 0) close((int)fd);
        struct stat st;
        report("stat", argv[i], syscall(SYS_stat, argv[i], &st));
        report("lstat", argv[i], syscall(SYS_lstat, argv[i], &st));
    }
    return 0;
}
