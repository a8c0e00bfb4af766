/* A library with its own syscall instruction, at a symbol the test can find. */
long late_raw_getppid(void) {
    long ret;
    __asm__ volatile(".globl late_syscall_site\n\t"
                     "late_syscall_site:\n\t"
                     "syscall"
                     : "=a"(ret)
                     : "a"(110L)
                     : "rcx", "r11", "memory");
    return ret;
}
