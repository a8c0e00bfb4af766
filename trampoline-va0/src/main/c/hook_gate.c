/* The C half of the Java detour gate. The asm half (hook_gate_entry.S) saves every argument
 * register, asks jp_gate_enter where the call goes, and jumps there with the arguments
 * untouched; a call that goes to Java returns through jp_gate_return, which asks
 * jp_gate_leave for the caller's real return address.
 *
 * Why a gate at all: a JNA callback attaches any native thread that calls it to the JVM.
 * A hooked function is called by threads the JVM does not know (a library's workers, GC
 * threads for malloc) and by the Java detour itself when it calls the hooked function again;
 * neither may reach Java. So the gate sends a call to Java only when the thread is already
 * attached (JNI GetEnv says so; it attaches nothing) and is not inside this hook's own
 * detour. Everything else runs the original through the trampoline.
 *
 * The return address swap: to know when the Java detour returns, without knowing the
 * function's signature (stack arguments must stay where the callee expects them), the gate
 * does not call the detour: it replaces the caller's return address with jp_gate_return and
 * jumps. The real one waits in a per-thread stack here. A detour that never returns
 * (longjmp, a thread exit) leaves an entry behind; the next entry at that depth reuses it.
 *
 * Not freestanding in full: GetEnv is the JVM's code (it reads its own thread-local and may
 * use vector registers, which is why the asm half saves xmm0-7). jp_gate_leave is, since it
 * runs with the detour's return value live in rax/rdx/xmm0/xmm1 and touches none of them
 * but rax, which the asm saves. */
#include "hook_gate.h"

#include "runtime_internal.h"

struct gate_frame {
    uint64_t id;
    uint64_t return_address;
};

struct gate_stack {
    uint64_t depth;
    struct gate_frame frames[JP_GATE_DEPTH_MAX];
};

/* initial-exec: the asm half's callees run on any thread, at any time; a dlopen'ed library's
 * initial-exec TLS is set up for every thread that exists when it loads (glibc's static
 * TLS surplus), and for every thread created later. */
static __thread struct gate_stack gate_stack __attribute__((tls_model("initial-exec")));

/* JNI's invocation interface: GetEnv is its 7th function (jni.h, JNIInvokeInterface_). */
typedef int (*jni_get_env_fn)(void *vm, void **env, int version);
#define JNI_GETENV_INDEX 6
#define JNI_OK 0
#define JNI_VERSION_1_2 0x00010002

void jp_gate_return(void) JP_HIDDEN;

/* The process the gate's JavaVM belongs to. A vfork child (posix_spawn's, Runtime.exec's) runs
 * on the parent's memory and TLS, so GetEnv there answers for the parent's thread: Java must
 * not run in it; nor in a fork child, where the JVM's other threads are gone. One getpid per
 * call that would reach Java, next to an upcall that costs far more. */
static uint32_t gate_pid; /* set by the host's first ask for a gate, from the JVM's own process */

static void remember_jvms_process(void) {
    __atomic_store_n(&gate_pid, (uint32_t)jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0), __ATOMIC_RELEASE);
}

static int in_the_jvms_process(void) {
    return (uint32_t)jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0) == __atomic_load_n(&gate_pid, __ATOMIC_ACQUIRE);
}

/* Where the call goes: the detour (and *return_slot now holds jp_gate_return), or the
 * original. */
JP_HIDDEN uint64_t jp_gate_enter(const struct jp_gate *gate, uint64_t *return_slot) {
    struct gate_stack *s = &gate_stack;
    uint64_t depth = s->depth;
    for (uint64_t i = 0; i < depth; i++) {
        if (s->frames[i].id == gate->id) return gate->original; /* its own detour calls it */
    }
    if (depth == JP_GATE_DEPTH_MAX || !in_the_jvms_process()) return gate->original;
    void *vm = (void *)gate->vm;
    jni_get_env_fn get_env = (*(jni_get_env_fn **)vm)[JNI_GETENV_INDEX];
    void *env = 0;
    if (get_env(vm, &env, JNI_VERSION_1_2) != JNI_OK) return gate->original; /* not a Java thread */
    s->frames[depth].id = gate->id;
    s->frames[depth].return_address = *return_slot;
    s->depth = depth + 1;
    *return_slot = (uint64_t)jp_gate_return;
    return gate->detour;
}

/* The detour returned: pop its frame and hand back the caller's return address. */
JP_HIDDEN uint64_t jp_gate_leave(void) {
    struct gate_stack *s = &gate_stack;
    uint64_t depth = s->depth - 1;
    s->depth = depth;
    return s->frames[depth].return_address;
}

/* For the host's tests: how deep this thread is inside Java detours. */
JPOLINE_EXPORT uint64_t jpoline_gate_depth(void) {
    return gate_stack.depth;
}

/* The address hook relay slots jump to, with r11 = the hook's struct jp_gate. */
void jp_gate_entry(void) JP_HIDDEN;
JPOLINE_EXPORT uint64_t jpoline_gate_entry_address(void) {
    remember_jvms_process();
    return (uint64_t)jp_gate_entry;
}

/* A Java probe's callback, called by the probe's stub (which has saved every register and the
 * whole extended state): the Java callback runs only on a thread the JVM knows and that is not
 * already inside this probe's callback; otherwise the hit goes on as if the callback had left
 * the context as it was. The frame on the gate stack marks "inside"; its return address is
 * unused. */
static void probe_gate(uint64_t address, uint64_t *context, struct jp_probe_record *r) {
    struct gate_stack *s = &gate_stack;
    uint64_t depth = s->depth;
    int run = depth < JP_GATE_DEPTH_MAX && in_the_jvms_process();
    for (uint64_t i = 0; run && i < depth; i++) run = s->frames[i].id != r->id;
    void *env = 0;
    if (run) {
        void *vm = (void *)r->vm;
        run = (*(jni_get_env_fn **)vm)[JNI_GETENV_INDEX](vm, &env, JNI_VERSION_1_2) == JNI_OK;
    }
    if (!run) {
        __atomic_add_fetch(&r->skipped, 1, __ATOMIC_RELAXED);
        return;
    }
    s->frames[depth].id = r->id;
    s->frames[depth].return_address = 0;
    s->depth = depth + 1;
    ((void (*)(uint64_t, uint64_t *))r->callback)(address, context);
    s->depth = depth;
}

JPOLINE_EXPORT uint64_t jpoline_probe_gate_address(void) {
    remember_jvms_process();
    return (uint64_t)probe_gate;
}
