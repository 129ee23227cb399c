/* The three guest programs of include/vshard/agent/guest.h as x86-64 code
 * for the KVM backend (agent/vm/kvm_vm.cc), one flat image loaded at
 * layout::kCode.
 *
 * The VMM starts a vCPU in 64-bit long mode (identity-mapped 2 MiB pages,
 * interrupts off, no IDT) at the entry slot of its role with
 *   rdi = rcx = the vCPU index, rsp = its own 256-byte stack,
 *   r15 = 0, the base of guest memory.
 * Every data access is r15 + an offset of guest.h's layout
 * (kvm_guest_abi.h), and the code uses only relative jumps and calls, so
 * the same bytes also run outside KVM with r15 pointing at the memory:
 * tests/agent/native_guest.cc runs them that way on machines without
 * /dev/kvm. (The image is linked at layout::kCode all the same, see
 * agent/vm/CMakeLists.txt.)
 *
 * No kick polling here: a kick stops the vCPU wherever it is (KVM_RUN
 * returns -EINTR) and the next KVM_RUN resumes it with the same registers,
 * so a block in progress is finished exactly once. Shared fields are
 * touched as the agent's std::atomic_ref expects: aligned 32-bit loads and
 * stores (atomic on x86, and ordered: x86 keeps stores in program order and
 * loads in program order) and `lock` read-modify-writes where other vCPUs
 * race (the queue's `next`, a slot's `count`).
 *
 * Registers kept across a program's loop:
 *   edi  vCPU index           rbx  this vCPU's Mailbox
 *   r15  guest memory base
 *   r12d 1 for the shard helper, 0 for batch
 * work: edx = seed, ecx = rounds -> eax; clobbers ecx, edx. */
#include "vshard/agent/internal/kvm_guest_abi.h"

#define SHARED_NEXT (VSHARD_GUEST_SHARED + VSHARD_GUEST_SHARED_NEXT)(%r15)
#define SHARED_TOTAL (VSHARD_GUEST_SHARED + VSHARD_GUEST_SHARED_TOTAL)(%r15)
#define SHARED_BLOCK_ITERS (VSHARD_GUEST_SHARED + VSHARD_GUEST_SHARED_BLOCK_ITERS)(%r15)

        .text
        .code64
        .globl vshard_guest_image_start
vshard_guest_image_start:

/* ---- entry slots, at the offsets kvm_vm.cc uses ---- */
        .org VSHARD_GUEST_ENTRY_SERVER
        .globl vshard_guest_entry_server
vshard_guest_entry_server:
        jmp server

        .org VSHARD_GUEST_ENTRY_BATCH
        .globl vshard_guest_entry_batch
vshard_guest_entry_batch:
        xorl %r12d, %r12d
        jmp blocks

        .org VSHARD_GUEST_ENTRY_SHARD_HELPER
        .globl vshard_guest_entry_shard_helper
vshard_guest_entry_shard_helper:
        movl $1, %r12d
        jmp blocks

/* rbx = r15 + VSHARD_GUEST_MAILBOXES + edi * sizeof(Mailbox) */
mailbox_of_rdi:
        movl %edi, %ebx
        shlq $VSHARD_GUEST_MAILBOX_SHIFT, %rbx
        leaq VSHARD_GUEST_MAILBOXES(%r15, %rbx), %rbx
        ret

/* xorshift32, as work() in guest.h: eax = work(edx, ecx). */
work:
        movl %edx, %eax
        testl %eax, %eax
        jnz 1f
        movl $VSHARD_GUEST_WORK_ZERO_SEED, %eax
1:      testl %ecx, %ecx
        jz 3f
2:      movl %eax, %edx
        shll $13, %edx
        xorl %edx, %eax
        movl %eax, %edx
        shrl $17, %edx
        xorl %edx, %eax
        movl %eax, %edx
        shll $5, %edx
        xorl %edx, %eax
        decl %ecx
        jnz 2b
3:      ret

/* ---- kServer ---- */
server:
        call mailbox_of_rdi
server_loop:
        movl VSHARD_GUEST_MB_REQ_SEQ(%rbx), %eax
        cmpl VSHARD_GUEST_MB_RESP_SEQ(%rbx), %eax
        jne server_serve
        outl %eax, $VSHARD_GUEST_PORT_WAIT_REQUEST
        jmp server_loop
server_serve:
        movl %eax, %esi                        /* the request's seq */
        movl %eax, %edx                        /* seeds work() */
        movl VSHARD_GUEST_MB_REQ_ITERS(%rbx), %ecx
        call work
        movl %eax, VSHARD_GUEST_MB_CHECKSUM(%rbx)
        movl %esi, VSHARD_GUEST_MB_RESP_SEQ(%rbx)   /* after the checksum */
        movl %esi, %eax
        outl %eax, $VSHARD_GUEST_PORT_RESPONDED
        jmp server_loop

/* ---- kBatch (r12d = 0) and kShardHelper (r12d = 1) ---- */
blocks:
        call mailbox_of_rdi
blocks_loop:
        testl %r12d, %r12d
        jz 1f
        movl VSHARD_GUEST_MB_DONE(%rbx), %eax
        cmpl VSHARD_GUEST_MB_BUDGET(%rbx), %eax
        jae blocks_shard_done                  /* done >= budget */
1:      movl SHARED_TOTAL, %r8d
        cmpl $VSHARD_GUEST_MAX_BLOCKS, %r8d
        ja blocks_bad_total
        /* Claim only while blocks remain, so idle polls of an empty queue
         * do not push `next` on towards wrapping around. */
        movl SHARED_NEXT, %eax
        cmpl %r8d, %eax
        jae blocks_empty
        movl $1, %eax
        lock xaddl %eax, SHARED_NEXT           /* eax = the block claimed */
        cmpl %r8d, %eax
        jae blocks_empty
        movl %eax, %esi                        /* the block index */
        movl %eax, %edx                        /* seeds work() */
        movl SHARED_BLOCK_ITERS, %ecx
        call work
        movl %esi, %r9d                        /* zero-extends into r9 */
        shlq $VSHARD_GUEST_SLOT_SHIFT, %r9
        leaq VSHARD_GUEST_SLOTS(%r15, %r9), %r9
        movl %eax, VSHARD_GUEST_SLOT_CHECKSUM(%r9)
        movl %edi, VSHARD_GUEST_SLOT_BY_VCPU(%r9)
        lock incl VSHARD_GUEST_SLOT_COUNT(%r9)
        testl %r12d, %r12d
        jz blocks_loop
        /* Only this vCPU writes `done` while it runs (the agent resets it
         * between runs): a plain aligned store is enough. */
        movl VSHARD_GUEST_MB_DONE(%rbx), %eax
        incl %eax
        movl %eax, VSHARD_GUEST_MB_DONE(%rbx)
        jmp blocks_loop
blocks_empty:
        testl %r12d, %r12d
        jnz blocks_shard_done
        outl %eax, $VSHARD_GUEST_PORT_QUEUE_EMPTY
        jmp blocks_loop
blocks_shard_done:
        movl VSHARD_GUEST_MB_DONE(%rbx), %eax
        outl %eax, $VSHARD_GUEST_PORT_SHARD_DONE
        jmp blocks_loop
blocks_bad_total:
        movl %r8d, %eax
        outl %eax, $VSHARD_GUEST_PORT_BAD_TOTAL
        jmp blocks_bad_total                   /* the VMM never runs it again */

        .globl vshard_guest_image_end
vshard_guest_image_end:

        .section .note.GNU-stack, "", @progbits
