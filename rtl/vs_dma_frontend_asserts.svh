// vs_dma_frontend_asserts.svh: the DMA front-end's simulation assertions
// (immediate), included at the end of vs_dma_frontend under `ifndef
// SYNTHESIS, as vs_exec_asserts.svh is for vs_exec.
  // The write tracker never overflows (issue waits for room) and a decision
  // burst never outruns the FIFO (its length is at most what it held).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(trk_push && trk_free == 4'd0)) else $error("vs_dma_frontend: write tracker overflow");
      assert (!(w_fire && job_dec && !dq_valid && !drain_q)) else $error("vs_dma_frontend: decision burst underrun");
    end
  end
