/* The syscall entry. The VA0 stubs jump here with:
 *   rax      = the syscall number (= the address the site's `call *%rax` went to)
 *   (%rsp)   = the return address, site + 2, written into the caller's red zone slot
 *   r11      = this address (the stub's scratch); rcx untouched
 * and it must leave exactly what a `syscall` instruction leaves: rax = result, rcx = the
 * return address, r11 = rflags, every other register and rflags as they were, no vector
 * register touched, and nothing below the caller's rsp - 8 written before rsp has moved
 * below the 128-byte red zone. docs/entry-path.md walks through every path. */
#include "entry_layout.h"

    .text

/* Every register as it was at the site, except rcx and r11 (the syscall clobbers those)
 * and rsp, which stays at the frame. Ends by restoring the caller's rflags. */
.macro LOAD_CALLER_REGS
    mov JP_FRAME_RAX(%rsp), %rax
    mov JP_FRAME_RBX(%rsp), %rbx
    mov JP_FRAME_RDX(%rsp), %rdx
    mov JP_FRAME_RSI(%rsp), %rsi
    mov JP_FRAME_RDI(%rsp), %rdi
    mov JP_FRAME_RBP(%rsp), %rbp
    mov JP_FRAME_R8(%rsp), %r8
    mov JP_FRAME_R9(%rsp), %r9
    mov JP_FRAME_R10(%rsp), %r10
    mov JP_FRAME_R12(%rsp), %r12
    mov JP_FRAME_R13(%rsp), %r13
    mov JP_FRAME_R14(%rsp), %r14
    mov JP_FRAME_R15(%rsp), %r15
    pushq JP_FRAME_RFLAGS(%rsp)  /* lands in the scratch area, above the clone3 copy */
    popfq
.endm

/* A new task (thread, clone or vfork child) starts without Syscall User Dispatch even when its
 * parent had it (the kernel does not copy it: entry_sud.c): it turns it on for itself before
 * returning to the program. Every register and the flags are kept; the stack below rsp is the
 * child's own (a new stack, or the frame a vfork parent is not using while it waits). */
.macro SUD_CHILD_START
    pushfq
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    push %rbx
    mov %rsp, %rbx
    and $-16, %rsp
    cld
    call jp_sud_child_start
    mov %rbx, %rsp
    pop %rbx
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    popfq
.endm

    .globl jpoline_entry
    .hidden jpoline_entry
    .type jpoline_entry, @function
    .p2align 6
jpoline_entry:
    endbr64
    /* Step over the red zone first: lea leaves the flags alone, and nothing has been
     * written yet below the return address. */
    lea -JP_RED_ZONE(%rsp), %rsp
    pushfq
    push %r15
    push %r14
    push %r13
    push %r12
    push %r11
    push %r10
    push %r9
    push %r8
    push %rbp
    push %rdi
    push %rsi
    push %rdx
    push %rcx
    push %rbx
    push %rax
    /* rsp = struct jpoline_frame. From here on the caller's flags are safe in it. */
    cld                              /* compiled C assumes DF = 0 */
    mov %rsp, %rbx                   /* callee-saved: still the frame after the call */
    lea -JP_SCRATCH_SIZE(%rsp), %rsp
    and $-16, %rsp                   /* the ABI's call alignment; the site's is unknown */
    mov %rbx, %rdi
    call jp_entry_dispatch
    mov %rbx, %rsp
    cmp $JP_ACT_RETURN, %eax
    jne .Lspecial

.Lreturn:                            /* rsp = frame; frame->rax = result */
    mov JP_FRAME_RETURN_ADDRESS(%rsp), %rcx   /* what syscall leaves in rcx */
    mov JP_FRAME_RFLAGS(%rsp), %r11           /* ... and in r11 */
    pop %rax
    pop %rbx
    lea 8(%rsp), %rsp                /* saved rcx: replaced above */
    pop %rdx
    pop %rsi
    pop %rdi
    pop %rbp
    pop %r8
    pop %r9
    pop %r10
    lea 8(%rsp), %rsp                /* saved r11 (the stub's scratch) */
    pop %r12
    pop %r13
    pop %r14
    pop %r15
    popfq
    lea JP_RED_ZONE(%rsp), %rsp      /* flag-free from here */
    ret

.Lspecial:
    cmp $JP_ACT_SIGRETURN, %eax
    je .Lsigreturn
    cmp $JP_ACT_CLONE_NEW_STACK, %eax
    je .Lclone_new_stack
    cmp $JP_ACT_CLONE3_NEW_STACK, %eax
    je .Lclone3_new_stack
    cmp $JP_ACT_VFORK, %eax
    je .Lvfork
    ud2

/* rt_sigreturn reads the signal frame at rsp: drop the return address the site pushed and
 * hand over. The kernel restores every register from the frame; it never returns. */
.Lsigreturn:
    lea JP_FRAME_SIZE(%rsp), %rsp
    mov $15, %eax
    syscall
    ud2

/* clone with a new stack: the C half stored the return address at stack - 8, so the child,
 * which starts here with rsp = stack - 8, returns straight to the site. */
.Lclone_new_stack:
    LOAD_CALLER_REGS
    lea -8(%rsi), %rsi
    syscall
    lea 8(%rsi), %rsi                /* both sides: the caller's stack argument again */
    mov %rax, %rcx
    jrcxz .Lchild_return             /* jrcxz: the child must keep the caller's flags */
.Lparent_return:                     /* our frame is intact: the child has its own stack */
    mov %rax, JP_FRAME_RAX(%rsp)
    cld                              /* the caller's flags are back: C wants DF = 0 */
    mov %rsp, %rbx                   /* the trace tier's EXIT record for the parent */
    lea -JP_SCRATCH_SIZE(%rsp), %rsp
    and $-16, %rsp
    mov %rbx, %rdi
    call jp_entry_after_clone
    mov %rbx, %rsp
    jmp .Lreturn                     /* every register comes back from the frame */
.Lchild_return:                      /* (%rsp) = return address, rsp + 8 = the new stack */
    SUD_CHILD_START
    mov (%rsp), %rcx
    ret

/* clone3 with a new stack: the C half copied the arguments to the bottom of the scratch
 * area with stack_size reduced by 16, and wrote the caller's rdi and the return address
 * at the top of the new stack. */
.Lclone3_new_stack:
    LOAD_CALLER_REGS
    lea -JP_SCRATCH_SIZE(%rsp), %rdi
    syscall
    mov %rax, %rcx
    jrcxz .Lclone3_child
    jmp .Lparent_return              /* restores the caller's rdi from the frame */
.Lclone3_child:
    SUD_CHILD_START
    pop %rdi
    mov (%rsp), %rcx
    ret

/* vfork, or clone/clone3 with CLONE_VM|CLONE_VFORK on the caller's stack: the child runs
 * first, on this very stack, and returns through the frame while it is still intact. The
 * parent resumes only after the child exec'd or exited, and by then anything below the
 * caller's rsp may be overwritten: it takes its return address from the per-thread stack
 * the C half pushed it on (a vfork child nesting another vfork pushes and pops above it). */
.Lvfork:
    LOAD_CALLER_REGS
    syscall
    mov %rax, %rcx
    jrcxz .Lvfork_child
    movq jp_vfork_returns@gottpoff(%rip), %r11   /* flag-free: rflags are the caller's */
    mov %fs:(%r11), %rcx
    lea -1(%rcx), %rcx
    mov %rcx, %fs:(%r11)
    mov %fs:8(%r11,%rcx,8), %rcx
    /* The child is gone (exec'd or exited): the stack below the frame is ours again. Tell the
     * trace tier the result, keeping every register the caller sees and its flags. */
    pushfq
    push %rcx
    push %rax
    push %rdi
    push %rsi
    push %rdx
    push %r8
    push %r9
    push %r10
    push %rbx
    mov %rsp, %rbx
    and $-16, %rsp
    cld
    mov %rax, %rdi
    call jp_entry_after_vfork
    mov %rbx, %rsp
    pop %rbx
    pop %r10
    pop %r9
    pop %r8
    pop %rdx
    pop %rsi
    pop %rdi
    pop %rax
    pop %rcx
    popfq
    lea JP_FRAME_SIZE(%rsp), %rsp
    jmp *%rcx
.Lvfork_child:
    SUD_CHILD_START
    mov %rax, JP_FRAME_RAX(%rsp)
    jmp .Lreturn

    .size jpoline_entry, . - jpoline_entry

/* A syscall made for the TRACE tier, at a known address: a signal handler that finds the
 * interrupted rip at jp_traced_syscall_insn knows the call will be restarted, at
 * jp_traced_syscall_return that it just returned (its result in rax). Arguments as for a C
 * call jp_traced_sys6(nr, a1, ..., a6). */
    .globl jp_traced_sys6
    .hidden jp_traced_sys6
    .type jp_traced_sys6, @function
jp_traced_sys6:
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    mov 8(%rsp), %r9
    .globl jp_traced_syscall_insn
    .hidden jp_traced_syscall_insn
jp_traced_syscall_insn:
    syscall
    .globl jp_traced_syscall_return
    .hidden jp_traced_syscall_return
jp_traced_syscall_return:
    ret
    .size jp_traced_sys6, . - jp_traced_sys6

/* The restorer of the signals whose default action the runtime watches (entry_signal.c):
 * its syscall is in the runtime's own text, which is never rewritten. */
    .globl jp_signal_restorer
    .hidden jp_signal_restorer
    .type jp_signal_restorer, @function
jp_signal_restorer:
    mov $15, %eax
    syscall
    ud2
    .size jp_signal_restorer, . - jp_signal_restorer

    .section .note.GNU-stack, "", @progbits
