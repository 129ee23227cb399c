// vs_least: the least and the second least of M candidates whose keys are
// unique, every pair compared at once (one comparison deep, not a tree).
//
// Why: vs_search's two-step searches (spec 7.1 idle, 7.2 victim) first find
// each core node's best core with one tree per node, then pick among the
// NNodes group winners for every waking node. NNodes is small (2 to 8), so
// comparing all pairs costs M(M-1)/2 comparators and keeps that step one
// comparator and one AND deep, where a tree would add ceil(log2 M)
// compare-select levels to the search's path.
//
// Candidate g is valid_i[g] with key key_i[g*KeyW +: KeyW]. The keys of the
// valid candidates must differ (the callers append the core id); then
// exactly one valid candidate comes before every other valid one:
//   first_o[g]  = g is valid and its key is less than every other valid key;
//   second_o[g] = g is valid, not first, and its key is less than every
//                 other valid key but the first's (Top2 = 1; 0 otherwise).
// Both are one-hot, or 0 when there is no such candidate (no valid one; only
// one valid for second_o). An invalid candidate's key is not looked at.
module vs_least #(
  /// Number of candidates (>= 1).
  parameter int M = 4,
  /// Key width in bits; keys compare as unsigned integers.
  parameter int KeyW = 8,
  /// 1: also the second least (second_o); 0: second_o is 0.
  parameter bit Top2 = 1'b0
) (
  input  logic [M-1:0]      valid_i,
  input  logic [M*KeyW-1:0] key_i,
  output logic [M-1:0]      first_o,
  output logic [M-1:0]      second_o
);
  if (M < 1 || KeyW < 1) begin : gen_bad_param
    $error("vs_least: M and KeyW must be >= 1");
  end

  // lt[g*M+h], g < h: g's key < h's key (each pair once; 0 elsewhere)
  logic [M*M-1:0] lt;
  for (genvar g = 0; g < M; g++) begin : gen_pair
    for (genvar h = 0; h < M; h++) begin : gen_with
      if (h > g) begin : gen_lt
        assign lt[g*M+h] = key_i[g*KeyW +: KeyW] < key_i[h*KeyW +: KeyW];
      end else begin : gen_unused
        assign lt[g*M+h] = 1'b0;
      end
    end
  end

  // beats[g*M+h], g != h: g comes before h (h invalid, or g's key smaller;
  // for two valid candidates !(h < g) is g < h, the keys being unique)
  logic [M*M-1:0] beats;
  always_comb begin
    beats = '0;
    for (int g = 0; g < M; g++) begin
      for (int h = 0; h < M; h++) begin
        if (h > g) beats[g*M+h] = !valid_i[h] || lt[g*M+h];
        if (h < g) beats[g*M+h] = !valid_i[h] || !lt[h*M+g];
      end
    end
  end

  always_comb begin
    for (int g = 0; g < M; g++) begin
      first_o[g] = valid_i[g];
      for (int h = 0; h < M; h++) begin
        if (h != g) first_o[g] = first_o[g] && beats[g*M+h];
      end
    end
  end

  if (Top2) begin : gen_second
    // g beats every candidate but the first, which beats g
    always_comb begin
      for (int g = 0; g < M; g++) begin
        second_o[g] = valid_i[g] && !first_o[g];
        for (int h = 0; h < M; h++) begin
          if (h != g) second_o[g] = second_o[g] && (beats[g*M+h] || first_o[h]);
        end
      end
    end
  end else begin : gen_no_second
    assign second_o = '0;
  end

`ifndef SYNTHESIS
  // The keys of the valid candidates differ (else no candidate, or two,
  // could come first).
  always_comb begin
    for (int g = 0; g < M; g++) begin
      for (int h = g + 1; h < M; h++) begin
        assert (!(valid_i[g] && valid_i[h] && key_i[g*KeyW +: KeyW] == key_i[h*KeyW +: KeyW]))
          else $error("vs_least: candidates %0d and %0d are valid with the same key", g, h);
      end
    end
  end
`endif
endmodule
