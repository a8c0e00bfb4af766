/* Payload RemotePauseBench loads into pause_target: a detour of compute() that only calls the
 * original through the trampoline install() receives (the hook's cost is not what is measured). */
static long (*original)(long);

long my_compute(long x) {
    return original(x);
}

void install(void *trampoline) {
    original = (long (*)(long))trampoline;
}
