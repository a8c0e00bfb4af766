/* Numbers shared by entry.S and the C half of the entry (entry_dispatch.c). Plain
 * #defines only: the assembler includes this file too. */
#ifndef JPOLINE_ENTRY_LAYOUT_H
#define JPOLINE_ENTRY_LAYOUT_H

/* Offsets in struct jpoline_frame (jpoline.h); entry_dispatch.c checks them statically. */
#define JP_FRAME_RAX 0
#define JP_FRAME_RBX 8
#define JP_FRAME_RDX 24
#define JP_FRAME_RSI 32
#define JP_FRAME_RDI 40
#define JP_FRAME_RBP 48
#define JP_FRAME_R8 56
#define JP_FRAME_R9 64
#define JP_FRAME_R10 72
#define JP_FRAME_R12 88
#define JP_FRAME_R13 96
#define JP_FRAME_R14 104
#define JP_FRAME_R15 112
#define JP_FRAME_RFLAGS 120
#define JP_FRAME_RETURN_ADDRESS 256
#define JP_FRAME_SIZE 264 /* the caller's rsp is frame + JP_FRAME_SIZE */
#define JP_RED_ZONE 128

/* Scratch below the frame, reserved for the clone3 argument copy (it must outlive the
 * C half, which returns before the syscall runs). The copy sits at its bottom; the top
 * 16 bytes stay free for the pushq/popfq that restores the caller's flags. */
#define JP_SCRATCH_SIZE 144
#define JP_CLONE3_COPY_MAX 128

/* What the C half asks entry.S to do next. */
#define JP_ACT_RETURN 0          /* frame->rax holds the result: restore and return */
#define JP_ACT_SIGRETURN 1       /* rt_sigreturn on the signal frame at the caller's rsp */
#define JP_ACT_CLONE_NEW_STACK 2 /* clone; the return address is already at stack - 8 */
#define JP_ACT_CLONE3_NEW_STACK 3 /* clone3 with the adjusted copy in the scratch area */
#define JP_ACT_VFORK 4           /* the child borrows our stack: parent returns via TLS */

/* Per-thread stack of vfork return addresses (struct jp_vfork_returns). */
#define JP_VFORK_DEPTH_MAX 16

#endif
