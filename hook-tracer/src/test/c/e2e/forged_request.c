/* A traced program that forges a start-up request in its session naming another process
 * (argv[1]): the host must refuse it rather than rewrite that process's code. It answers the
 * host's announcement as a runtime would, then prints the request's end state and result. The
 * layout is session.h's (slots after the 4096-byte header, 8192 bytes each). */
#include <fcntl.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void wake(uint32_t *word) {
    syscall(SYS_futex, word, FUTEX_WAKE, 1 << 30, 0, 0, 0);
}

int main(int argc, char **argv) {
    const char *path = getenv("JPOLINE_SESSION");
    if (argc < 2 || path == NULL) return 2;
    int fd = open(path, O_RDWR);
    if (fd < 0) return 3;
    char *s = mmap(NULL, 4096 + 8192 * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED) return 4;
    /* The last of the first four slots: the runtime's own requests take the first free one. */
    uint32_t *slot = (uint32_t *)(s + 4096 + 8192 * 3);
    uint32_t free_state = 0;
    if (!__atomic_compare_exchange_n(&slot[0], &free_state, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return 5;
    slot[1] = (uint32_t)atoi(argv[1]); /* pid */
    slot[2] = slot[1];                 /* tid */
    slot[3] = 1;                       /* KIND_STARTUP */
    __atomic_store_n(&slot[0], 2, __ATOMIC_RELEASE); /* REQUEST */
    uint32_t *doorbell = (uint32_t *)(s + 32);
    __atomic_fetch_add(doorbell, 1, __ATOMIC_ACQ_REL);
    wake(doorbell);
    for (int i = 0; i < 1000; i++) { /* at most 10 s */
        uint32_t state = __atomic_load_n(&slot[0], __ATOMIC_ACQUIRE);
        if (state == 3) { /* SITES: take them, as a runtime does */
            __atomic_store_n(&slot[0], 4, __ATOMIC_RELEASE);
            wake(&slot[0]);
        } else if (state == 5 || state == 6) {
            printf("state %u result %d\n", state, (int)slot[9]);
            return 0;
        }
        struct timespec t = {0, 10 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    printf("no answer\n");
    return 0;
}
