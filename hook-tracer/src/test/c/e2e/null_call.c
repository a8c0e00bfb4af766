/* Calls through a NULL or small-integer function pointer must die by SIGSEGV, traced or not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef long (*fn_t)(void);

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "null";
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("calling through %s\n", how);
    volatile long target = strcmp(how, "null") == 0 ? 0 : strcmp(how, "small") == 0 ? 39 : 60;
    if (strcmp(how, "rdx") == 0) {
        /* call *%rdx with rdx = 0 while rax holds a syscall number (exit = 60). */
        __asm__ volatile("xor %%edx, %%edx\n\tmov $60, %%eax\n\tmov $77, %%edi\n\tcall *%%rdx"
                         ::: "rax", "rdx", "rdi", "memory");
    } else if (strcmp(how, "rax") == 0) {
        /* call *%rax with rax = 60 (exit) from code that was never a syscall. */
        __asm__ volatile("mov %0, %%rax\n\tmov $77, %%edi\n\tcall *%%rax" :: "r"(target) : "rax", "rdi", "memory");
    } else {
        fn_t f = (fn_t)target;
        f();
    }
    printf("survived the call\n");
    return 0;
}
