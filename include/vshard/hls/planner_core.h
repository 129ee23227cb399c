/* vShard shard planner core: docs/spec.md (1.1) sections 7.3-7.4 as one
 * pure function (sharding-candidate test, K and shard size with the
 * reciprocal table and a power-of-two search, targets by ascending key,
 * block split).
 *
 * Written once in a macro-portable subset that compiles as C, as C++ (the
 * host path and the Vitis-HLS C++ top in hls/vs_plan_hls.cc) and as OpenCL C
 * (hls/kernels/vs_plan.cl, run on PoCL or any OpenCL device). Rules kept for
 * that: no dynamic memory, every loop has a constant bound (VS_PLAN_MAX_*),
 * no division, no recursion, no library calls, fixed-width types only.
 *
 * The input and output structs have one byte layout in all three languages
 * (scalar fields first, in falling size, then byte arrays; checked by
 * static_asserts in include/vshard/hls/planner.h). */
#ifndef VSHARD_PLANNER_CORE_H_
#define VSHARD_PLANNER_CORE_H_

#if defined(__OPENCL_C_VERSION__)
typedef uchar vs_u8;
typedef ushort vs_u16;
typedef uint vs_u32;
typedef int vs_i32;
#define VS_PLAN_IN_AS __global
#define VS_PLAN_OUT_AS __global
#define VS_PLAN_FN static inline
#else
#include <stdint.h>
typedef uint8_t vs_u8;
typedef uint16_t vs_u16;
typedef uint32_t vs_u32;
typedef int32_t vs_i32;
#define VS_PLAN_IN_AS
#define VS_PLAN_OUT_AS
#if defined(__cplusplus)
#define VS_PLAN_FN inline
#else
#define VS_PLAN_FN static inline
#endif
#endif

/* Loop directives: real pragmas only under Vitis HLS synthesis. */
#if defined(__SYNTHESIS__)
#define VS_PLAN_PRAGMA(x) _Pragma(x)
#else
#define VS_PLAN_PRAGMA(x)
#endif

#define VS_PLAN_MAX_CORES 256
#define VS_PLAN_MAX_SHARDS 8
#define VS_PLAN_MAX_NODES 8

/* core_info bits */
#define VS_PLAN_CI_ONLINE 0x01u  /* online[c] */
#define VS_PLAN_CI_IDLE 0x02u    /* occ[c] == IDLE */
#define VS_PLAN_CI_FREQ_SHIFT 2u /* bits 3:2 freq[c] */
#define VS_PLAN_CI_NODE_SHIFT 4u /* bits 6:4 node[c] */

typedef struct vs_plan_in {
  vs_i32 credit;                                          /* credit[u], -32767..32767 */
  vs_i32 shard_min_credit;                                /* SHARD_MIN_CREDIT, signed */
  vs_u32 bcost;                                           /* bcost[u], 0..65535 */
  vs_u32 sync_cost_us;                                    /* SYNC_COST_US, 0..65535 */
  vs_u32 erun;                                            /* erun[v] of the preemptor, 0..65535 (spec 1.1, 7.4 T) */
  vs_u32 ncores;                                          /* parameter NCores, 1..256 */
  vs_u32 load_hot_cores;                                  /* LOAD_HOT_CORES, 0..NCores */
  vs_u8 blocks;                                           /* blocks[u] */
  vs_u8 home;                                             /* home[u], < NNodes */
  vs_u8 victim_core;                                      /* p, the preempted core (never a target) */
  vs_u8 max_shards_param;                                 /* parameter MaxShards, 2..8 */
  vs_u8 shard_enable;                                     /* SHARD_ENABLE, 0..1 */
  vs_u8 max_shards_cfg;                                   /* MAX_SHARDS, 1..MaxShards */
  vs_u8 shard_util_max;                                   /* SHARD_UTIL_MAX */
  vs_u8 shard_min_freq;                                   /* SHARD_MIN_FREQ, 0..3 */
  vs_u8 shard_max_dist;                                   /* SHARD_MAX_DIST */
  vs_u8 k_under_load;                                     /* K_UNDER_LOAD, 1..MaxShards */
  vs_u8 shards;                                           /* shards[u] still running, 0..MaxShards */
  vs_u8 reserved;                                         /* zero */
  vs_u8 numa_dist[VS_PLAN_MAX_NODES * VS_PLAN_MAX_NODES]; /* [i*8+j] */
  vs_u8 core_info[VS_PLAN_MAX_CORES];                     /* VS_PLAN_CI_* bits; zero past ncores */
  vs_u8 util[VS_PLAN_MAX_CORES];                          /* util[c]; zero past ncores */
} vs_plan_in;

typedef struct vs_plan_out {
  vs_u16 eligible;                  /* E, shard-eligible cores */
  vs_u16 hot;                       /* H, online cores with util >= SHARD_UTIL_MAX */
  vs_u8 k;                          /* K: 0 (no shards) or 1..MaxShards */
  vs_u8 candidate;                  /* 1 when the 7.3 test passes (E >= 1 included) */
  vs_u8 k0;                         /* K0 = min(B, E, MAX_SHARDS, L), 0 if no candidate */
  vs_u8 size;                       /* s = s(K), blocks per shard; 0 if k == 0 */
  vs_u8 target[VS_PLAN_MAX_SHARDS]; /* t_i, i < k; zero past k */
  vs_u8 first[VS_PLAN_MAX_SHARDS];  /* first_i */
  vs_u8 count[VS_PLAN_MAX_SHARDS];  /* count_i */
} vs_plan_out;

/* R[k] of spec 7.4: q(B,k) = (B * R[k]) >> 16 == floor(B/k), B < 256. */
VS_PLAN_FN vs_u32 vs_plan_recip(vs_u32 k) {
  vs_u32 r = 0u;
  switch (k) {
    case 1u: r = 65536u; break;
    case 2u: r = 32768u; break;
    case 3u: r = 21846u; break;
    case 4u: r = 16384u; break;
    case 5u: r = 13108u; break;
    case 6u: r = 10923u; break;
    case 7u: r = 9363u; break;
    case 8u: r = 8192u; break;
    default: r = 0u; break;
  }
  return r;
}

VS_PLAN_FN vs_u32 vs_plan_q(vs_u32 b, vs_u32 k) { return (b * vs_plan_recip(k)) >> 16; }

VS_PLAN_FN vs_u32 vs_plan_min_u32(vs_u32 a, vs_u32 b) { return a < b ? a : b; }

/* Target key of spec 7.4 extended by the core index: {dist [8], 3-freq [2],
 * util [8], c [8]}. Unique per core, so "ties by lowest index" is plain
 * unsigned order. */
VS_PLAN_FN vs_u32 vs_plan_target_key(vs_u32 dist, vs_u32 freq, vs_u32 util, vs_u32 c) {
  return (dist << 18) | ((3u - freq) << 16) | (util << 8) | c;
}

/* The planner. Inputs a caller has not validated are still safe: every
 * index is masked into its array. */
VS_PLAN_FN void vs_plan_shards(VS_PLAN_IN_AS const vs_plan_in* in, VS_PLAN_OUT_AS vs_plan_out* out) {
  vs_u32 ncores = in->ncores > VS_PLAN_MAX_CORES ? VS_PLAN_MAX_CORES : in->ncores;
  vs_u32 home = in->home & 7u;
  vs_u32 util_max = in->shard_util_max;
  vs_u32 bcost = in->bcost & 0xFFFFu;
  vs_u32 sync_cost = in->sync_cost_us & 0xFFFFu;
  vs_u32 erun = in->erun & 0xFFFFu;
  vs_u32 e_count = 0u;
  vs_u32 h_count = 0u;
  vs_u32 c;
  vs_u32 i;

  /* Pass 1: shard-eligible (E) and hot (H) counts. */
  for (c = 0u; c < VS_PLAN_MAX_CORES; ++c) {
    VS_PLAN_PRAGMA("HLS PIPELINE II=1")
    vs_u32 info = in->core_info[c];
    vs_u32 util = in->util[c];
    vs_u32 online = (c < ncores) && (info & VS_PLAN_CI_ONLINE);
    vs_u32 idle = online && (info & VS_PLAN_CI_IDLE) && (c != in->victim_core);
    vs_u32 freq = (info >> VS_PLAN_CI_FREQ_SHIFT) & 3u;
    vs_u32 node = (info >> VS_PLAN_CI_NODE_SHIFT) & 7u;
    vs_u32 dist = in->numa_dist[home * 8u + node];
    vs_u32 elig = idle && util < util_max && freq >= in->shard_min_freq && dist <= in->shard_max_dist;
    e_count += elig ? 1u : 0u;
    h_count += (online && util >= util_max) ? 1u : 0u;
  }

  /* 7.3 candidate test and 7.4 K and shard size. */
  vs_u32 b = in->blocks;
  vs_u32 candidate = in->shard_enable == 1u && in->shards == 0u && in->credit >= in->shard_min_credit && b >= 1u &&
                     b * bcost >= sync_cost && e_count >= 1u;
  vs_u32 l = h_count >= in->load_hot_cores ? in->k_under_load : in->max_shards_param;
  vs_u32 k0 = vs_plan_min_u32(vs_plan_min_u32(b, e_count), vs_plan_min_u32(in->max_shards_cfg, l));
  /* s_T: the smallest power of two 2^j, j <= 7, with bcost << j >= T */
  vs_u32 t = erun > sync_cost ? erun : sync_cost;
  vs_u32 s_t = 128u;
  vs_u32 j;
  for (j = 8u; j > 0u; --j) {
    VS_PLAN_PRAGMA("HLS UNROLL")
    if ((bcost << (j - 1u)) >= t) s_t = 1u << (j - 1u);
  }
  vs_u32 k = 0u;
  vs_u32 s = 0u;
  if (!candidate) k0 = 0u;
  for (i = 1u; i <= VS_PLAN_MAX_SHARDS; ++i) {
    VS_PLAN_PRAGMA("HLS UNROLL")
    vs_u32 s_i = vs_plan_min_u32(s_t, vs_plan_q(b, i));
    if (i <= k0 && s_i * bcost >= sync_cost) {
      k = i;
      s = s_i;
    }
  }

  out->eligible = (vs_u16)e_count;
  out->hot = (vs_u16)h_count;
  out->k = (vs_u8)k;
  out->candidate = (vs_u8)candidate;
  out->k0 = (vs_u8)k0;
  out->size = (vs_u8)s;

  /* Targets: K rounds of argmin over the unique extended key, each round
   * taking the smallest key above the previous round's. Shard i takes
   * blocks [i*s, i*s + s). */
  vs_u32 prev = 0u;
  vs_u32 have_prev = 0u;
  for (i = 0u; i < VS_PLAN_MAX_SHARDS; ++i) {
    vs_u32 best = 0xFFFFFFFFu;
    for (c = 0u; c < VS_PLAN_MAX_CORES; ++c) {
      VS_PLAN_PRAGMA("HLS PIPELINE II=1")
      vs_u32 info = in->core_info[c];
      vs_u32 util = in->util[c];
      vs_u32 online = (c < ncores) && (info & VS_PLAN_CI_ONLINE);
      vs_u32 idle = online && (info & VS_PLAN_CI_IDLE) && (c != in->victim_core);
      vs_u32 freq = (info >> VS_PLAN_CI_FREQ_SHIFT) & 3u;
      vs_u32 node = (info >> VS_PLAN_CI_NODE_SHIFT) & 7u;
      vs_u32 dist = in->numa_dist[home * 8u + node];
      vs_u32 elig = idle && util < util_max && freq >= in->shard_min_freq && dist <= in->shard_max_dist;
      vs_u32 key = vs_plan_target_key(dist, freq, util, c);
      if (i < k && elig && (!have_prev || key > prev) && key < best) best = key;
    }
    if (i < k) {
      out->target[i] = (vs_u8)(best & 0xFFu);
      out->first[i] = (vs_u8)(i * s);
      out->count[i] = (vs_u8)s;
      prev = best;
      have_prev = 1u;
    } else {
      out->target[i] = 0u;
      out->first[i] = 0u;
      out->count[i] = 0u;
    }
  }
}

#endif /* VSHARD_PLANNER_CORE_H_ */
