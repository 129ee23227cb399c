/* The contract between the KVM guest programs (agent/vm/guests/guests.S)
 * and the VMM (agent/vm/kvm_vm.cc), in one place both include: the guest's
 * assembly through the C preprocessor, the VMM as C++, which checks every
 * layout number here against guest.h with static_asserts.
 *
 * Plain #defines only (no C++), so the assembler can read this file. */
#ifndef VSHARD_AGENT_INTERNAL_KVM_GUEST_ABI_H_
#define VSHARD_AGENT_INTERNAL_KVM_GUEST_ABI_H_

/* Exit ports: the guest leaves with `outl %eax, $port`, eax = the exit's
 * value (a 4-byte KVM_EXIT_IO_OUT; the VMM reads it at io.data_offset). */
#define VSHARD_GUEST_PORT_WAIT_REQUEST 0x10 /* ExitKind::kWaitRequest */
#define VSHARD_GUEST_PORT_RESPONDED 0x11    /* ExitKind::kResponded, eax = resp_seq */
#define VSHARD_GUEST_PORT_QUEUE_EMPTY 0x12  /* ExitKind::kQueueEmpty */
#define VSHARD_GUEST_PORT_SHARD_DONE 0x13   /* ExitKind::kShardDone, eax = done */
#define VSHARD_GUEST_PORT_BAD_TOTAL 0x1F    /* ExitKind::kFault: eax = shared.total > kMaxBlocks */

/* Entry points: offsets from the start of the image (loaded at
 * layout::kCode), one 16-byte slot each, each holding a jump to its program.
 * The .S places them with .org, so the assembler fails if they move. */
#define VSHARD_GUEST_ENTRY_SERVER 0x00
#define VSHARD_GUEST_ENTRY_BATCH 0x10
#define VSHARD_GUEST_ENTRY_SHARD_HELPER 0x20

/* guest.h's layout, as the guest addresses it (checked by the VMM). */
#define VSHARD_GUEST_SHARED 0x10000
#define VSHARD_GUEST_SHARED_NEXT 0
#define VSHARD_GUEST_SHARED_TOTAL 4
#define VSHARD_GUEST_SHARED_BLOCK_ITERS 8
#define VSHARD_GUEST_MAILBOXES 0x11000
#define VSHARD_GUEST_MAILBOX_SHIFT 6 /* sizeof(Mailbox) == 64 */
#define VSHARD_GUEST_MB_REQ_SEQ 0
#define VSHARD_GUEST_MB_RESP_SEQ 4
#define VSHARD_GUEST_MB_REQ_ITERS 8
#define VSHARD_GUEST_MB_BUDGET 12
#define VSHARD_GUEST_MB_DONE 16
#define VSHARD_GUEST_MB_CHECKSUM 20
#define VSHARD_GUEST_SLOTS 0x20000
#define VSHARD_GUEST_SLOT_SHIFT 4 /* sizeof(BlockSlot) == 16 */
#define VSHARD_GUEST_SLOT_COUNT 0
#define VSHARD_GUEST_SLOT_CHECKSUM 4
#define VSHARD_GUEST_SLOT_BY_VCPU 8
#define VSHARD_GUEST_MAX_BLOCKS 253952
#define VSHARD_GUEST_WORK_ZERO_SEED 0x9E3779B9

#endif /* VSHARD_AGENT_INTERNAL_KVM_GUEST_ABI_H_ */
