/* Code that appears late: a library dlopen'ed after start-up makes syscalls of its own.
 * With "--sites" it prints the bytes at the library's syscall instruction, so a test can see
 * that the site was rewritten in the running process (ff d0), jump-patched under Syscall User
 * Dispatch (eb) or left alone (0f 05). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    long (*raw_getppid)(void) = (long (*)(void))dlsym(lib, "late_raw_getppid");
    const unsigned char *site = (const unsigned char *)dlsym(lib, "late_syscall_site");
    if (!raw_getppid || !site) return 3;
    long ppid = raw_getppid();
    printf("late library's raw getppid matches: %s\n", ppid > 0 ? "yes" : "no");
    if (argc > 2 && strcmp(argv[2], "--sites") == 0) {
        if (site[0] == 0xeb)
            printf("site bytes: eb (jmp rel8)\n"); /* jump-patched under SUD; the displacement varies */
        else
            printf("site bytes: %02x %02x\n", site[0], site[1]);
    }
    dlclose(lib);
    return 0;
}
