/* The asm half of the Java detour gate (see hook_gate.c for why it exists).
 *
 * A Java-detoured hook's relay slot is `movabs $gate, %r11; jmp *jp_gate_entry`: r11 is free
 * at a function's entry (neither an argument nor callee-saved in the SysV ABI). From there the
 * gate must reach either the original or the detour with every argument exactly as the
 * caller left it: rdi rsi rdx rcx r8 r9 (integer arguments), rax (the vector-register count
 * of a variadic call), r10 (a static chain), xmm0-7 (vector arguments), and the stack. */

    .text

    .globl jp_gate_entry
    .hidden jp_gate_entry
    .type jp_gate_entry, @function
    .p2align 4
jp_gate_entry:
    endbr64
    /* rsp = the caller's return address slot, rsp = 8 mod 16 */
    push %rbp
    mov %rsp, %rbp
    sub $192, %rsp                 /* 8 GPRs + 8 xmm; rsp = 0 mod 16 for the call */
    mov %rdi, 0(%rsp)
    mov %rsi, 8(%rsp)
    mov %rdx, 16(%rsp)
    mov %rcx, 24(%rsp)
    mov %r8, 32(%rsp)
    mov %r9, 40(%rsp)
    mov %rax, 48(%rsp)
    mov %r10, 56(%rsp)
    /* Saved because GetEnv is the JVM's compiled code, free to use them; restored
     * bit-exact, so the callee sees the caller's vector arguments. */
    movdqu %xmm0, 64(%rsp)
    movdqu %xmm1, 80(%rsp)
    movdqu %xmm2, 96(%rsp)
    movdqu %xmm3, 112(%rsp)
    movdqu %xmm4, 128(%rsp)
    movdqu %xmm5, 144(%rsp)
    movdqu %xmm6, 160(%rsp)
    movdqu %xmm7, 176(%rsp)
    mov %r11, %rdi                 /* struct jp_gate * */
    lea 8(%rbp), %rsi              /* the caller's return address slot */
    call jp_gate_enter
    mov %rax, %r11                 /* where to go */
    movdqu 64(%rsp), %xmm0
    movdqu 80(%rsp), %xmm1
    movdqu 96(%rsp), %xmm2
    movdqu 112(%rsp), %xmm3
    movdqu 128(%rsp), %xmm4
    movdqu 144(%rsp), %xmm5
    movdqu 160(%rsp), %xmm6
    movdqu 176(%rsp), %xmm7
    mov 0(%rsp), %rdi
    mov 8(%rsp), %rsi
    mov 16(%rsp), %rdx
    mov 24(%rsp), %rcx
    mov 32(%rsp), %r8
    mov 40(%rsp), %r9
    mov 48(%rsp), %rax
    mov 56(%rsp), %r10
    leave
    jmp *%r11
    .size jp_gate_entry, .-jp_gate_entry

/* The Java detour's `ret` lands here, rsp where the caller's return address was + 8
 * (= 0 mod 16). The return value is live in rax, rdx (integers), xmm0, xmm1 (vectors) and
 * st0/st1 (long double): jp_gate_leave is built with general registers only and touches
 * none of them but rax and rdx, saved here. */
    .globl jp_gate_return
    .hidden jp_gate_return
    .type jp_gate_return, @function
    .p2align 4
jp_gate_return:
    sub $8, %rsp                   /* the slot the real return address goes into */
    push %rax
    push %rdx
    sub $8, %rsp                   /* rsp = 0 mod 16 for the call */
    call jp_gate_leave
    mov %rax, 24(%rsp)
    add $8, %rsp
    pop %rdx
    pop %rax
    ret
    .size jp_gate_return, .-jp_gate_return

    .section .note.GNU-stack, "", @progbits
