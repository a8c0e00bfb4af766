/* A function written in assembly, with a symbol and an ELF size (the inline-hook engine reads a
 * function's extent from it), 16-byte aligned as gcc aligns functions. */
#ifndef ASM_FUNCTION
#define ASM_FUNCTION(name, body)                                              \
    __asm__(".text\n\t.globl " #name "\n\t.type " #name ", @function\n\t.p2align 4\n" #name \
            ":\n\t" body "\n\t.size " #name ", .-" #name "\n\t")
#endif
