/* The payload remote hooks load into remote_worker: a detour of compute() that calls the
 * original through the trampoline install() receives, and adds a mark the worker recognizes. */
static long (*original)(long);
static long installs;

long my_compute(long x) {
    return original(x) + 1000000;
}

void install(void *trampoline) {
    original = (long (*)(long))trampoline;
    installs++;
}
