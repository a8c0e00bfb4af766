/* Ordinary syscalls through the entry: results, -errno returns, counters. */
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "jp_test.h"

int main(void) {
    jp_setup();
    uint64_t passed_before = jpoline_entry_count(JPOLINE_PASS);

    CHECK(jp_syscall0(SYS_getpid) == getpid(), "getpid");
    CHECK(jp_syscall0(SYS_gettid) == gettid(), "gettid");

    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    CHECK(jp_syscall3(SYS_write, fds[1], "hello", 5) == 5, "write to pipe");
    char buf[16] = {0};
    CHECK(jp_syscall3(SYS_read, fds[0], buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0,
          "read back '%s'", buf);
    CHECK(jp_syscall3(SYS_write, 1, "through the entry\n", 18) == 18, "write to stdout");

    /* Errors come back as -errno in rax, exactly as from the kernel. */
    CHECK(jp_syscall1(SYS_close, -1) == -EBADF, "close(-1)");
    CHECK(jp_syscall3(SYS_read, 12345, buf, 1) == -EBADF, "read from a bad fd");
    CHECK(jp_syscall3(SYS_openat, AT_FDCWD, "/nonexistent/x", O_RDONLY) == -ENOENT, "openat");
    CHECK(jp_syscall3(SYS_write, fds[1], (void *)0xffff800000000000ul, 1) == -EFAULT, "write from a bad pointer");
    /* Numbers no kernel knows still reach the entry through the sled and get -ENOSYS. */
    CHECK(jp_syscall0(500) == -ENOSYS, "syscall 500");
    CHECK(jp_syscall0(511) == -ENOSYS, "syscall 511");
    CHECK(jp_syscall0(2000) == -ENOSYS, "syscall 2000 (second sled)");

    CHECK(jpoline_entry_count(JPOLINE_PASS) - passed_before == 12, "counted %llu",
          (unsigned long long)(jpoline_entry_count(JPOLINE_PASS) - passed_before));
    CHECK(jpoline_entry_count(JPOLINE_TRACE) == 0 && jpoline_entry_count(JPOLINE_HOOK) == 0,
          "slow tiers untouched");

    /* execve through the entry: a plain pass-through that does not come back. */
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = {"sh", "-c", "exit 9", NULL};
        long r = jp_syscall3(SYS_execve, "/bin/sh", argv, environ);
        _exit(r == 0 ? 100 : 101);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 9,
          "exec'd child status %x", status);
    CHECK(jp_syscall3(SYS_execve, "/nonexistent", NULL, NULL) == -ENOENT, "failed execve returns");

    /* Site set API. */
    uint64_t zero = 0;
    CHECK(jpoline_sites_add(&zero, 1) == -EINVAL, "address 0 is no site");
    CHECK(jpoline_sites_contains(__start_jp_sites[0]) == 1, "registered site found");
    CHECK(jpoline_sites_contains(__start_jp_sites[0] + 1) == 0, "neighbour not found");
    CHECK(jpoline_va0_install() == 0, "install is idempotent");
    CHECK(jpoline_set_tier(-1, 0) == -EINVAL && jpoline_set_tier(0, 3) == -EINVAL &&
              jpoline_set_tier(JPOLINE_TIER_TABLE_SIZE, 1) == -EINVAL,
          "tier arguments validated");
    printf("OK basic\n");
    return 0;
}
