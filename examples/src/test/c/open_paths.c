/* Opens each argument with openat2 (syscall(SYS_openat2): glibc has no wrapper for it) and,
 * with "stat" first, stat and lstat too; prints "PATH: ok" or "PATH: errno N" per call. */
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
