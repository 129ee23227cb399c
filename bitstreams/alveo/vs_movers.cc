// HLS data movers between device memory and the engine's AXI-Streams
// (Vitis kernels vs_mm2s / vs_s2mm; bitstreams/alveo). UNTESTED: no Vitis here.
// Events and decisions are 16-byte descriptors (docs/spec.md sections 3-4),
// carried as 128-bit stream words; byte i = bits 8i+7:8i. The driver's xrt
// backend (MoverCore) sets the arguments by name, per batch of events: keep
// the names in step with driver/backend_xrt.cc (CTest alveo_flow_check).
#include <ap_axi_sdata.h>
#include <ap_int.h>
#include <hls_stream.h>

typedef ap_axiu<128, 0, 0, 0> vs_word;

// Reads n events from ring[first .. first+n) (mod 2^size_log2) into evt.
extern "C" void vs_mm2s(const ap_uint<128>* ring, unsigned first, unsigned n, unsigned size_log2,
                        hls::stream<vs_word>& evt) {
#pragma HLS INTERFACE mode = m_axi port = ring offset = slave bundle = gmem max_read_burst_length = 64
#pragma HLS INTERFACE mode = axis port = evt
#pragma HLS INTERFACE mode = s_axilite port = ring
#pragma HLS INTERFACE mode = s_axilite port = first
#pragma HLS INTERFACE mode = s_axilite port = n
#pragma HLS INTERFACE mode = s_axilite port = size_log2
#pragma HLS INTERFACE mode = s_axilite port = return
  const unsigned mask = (1u << size_log2) - 1u;
read_events:
  for (unsigned i = 0; i < n; ++i) {
#pragma HLS PIPELINE II = 1
    vs_word w;
    w.data = ring[(first + i) & mask];
    w.keep = -1;
    w.strb = -1;
    w.last = (i + 1 == n);
    evt.write(w);
  }
}

// Writes decisions from dec to out[] until `events` LAST flags have been
// seen or `max` words were written; returns the count in *written.
extern "C" void vs_s2mm(hls::stream<vs_word>& dec, ap_uint<128>* out, unsigned events, unsigned max,
                        unsigned* written) {
#pragma HLS INTERFACE mode = axis port = dec
#pragma HLS INTERFACE mode = m_axi port = out offset = slave bundle = gmem max_write_burst_length = 64
#pragma HLS INTERFACE mode = m_axi port = written offset = slave bundle = gmem
#pragma HLS INTERFACE mode = s_axilite port = out
#pragma HLS INTERFACE mode = s_axilite port = events
#pragma HLS INTERFACE mode = s_axilite port = max
#pragma HLS INTERFACE mode = s_axilite port = written
#pragma HLS INTERFACE mode = s_axilite port = return
  unsigned lasts = 0, i = 0;
write_decisions:
  while (lasts < events && i < max) {
#pragma HLS PIPELINE II = 1
    vs_word w = dec.read();
    out[i++] = w.data;
    if (w.last) ++lasts;
  }
  *written = i;
}
