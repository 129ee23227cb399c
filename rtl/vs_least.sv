// vs_least: the least and the second least over M groups of candidates,
// given each group's least and (Top2) its second least, every pair
// compared at once (one comparison deep, not a tree).
//
// Why: vs_search's two-step searches (spec 7.1 idle, 7.2 victim) first find
// each core node's best core (and, for the idle search, its runner-up) with
// one tree per node, then pick among the NNodes groups for every waking
// node. NNodes is small (2 to 8), so comparing all pairs keeps that step one
// comparator and two AND levels deep, where a tree would add ceil(log2 M)
// compare-select levels to the search's path, and where taking the
// runner-up after the winner is known would add a second comparison.
//
// Group g offers its least candidate a_g (valid_i[g], key_i[g*KeyW +:
// KeyW]) and, with Top2, its second least b_g (valid2_i[g], key2_i), with
// valid2_i[g] -> valid_i[g] and a_g's key < b_g's. All valid keys (of every
// a and b) must differ (the callers append the core id). Then:
//   first_o[g]   = a_g is the least valid candidate;
//   second_o[g]  = a_g is the second least (Top2);
//   second2_o[g] = b_g is the second least (Top2; only for the first's group).
// The second least of all is either another group's a or the winning
// group's b: every other candidate comes after one of these. first_o is
// one-hot or 0 (no valid candidate); second_o | second2_o is one-hot or 0
// (fewer than two valid). Without Top2 second_o and second2_o are 0 and
// valid2_i/key2_i are not looked at; an invalid candidate's key never is.
module vs_least #(
  /// Number of groups (>= 1).
  parameter int M = 4,
  /// Key width in bits; keys compare as unsigned integers.
  parameter int KeyW = 8,
  /// 1: also the second least, from the groups' seconds; 0: the least only.
  parameter bit Top2 = 1'b0
) (
  input  logic [M-1:0]      valid_i,   // a_g
  input  logic [M*KeyW-1:0] key_i,
  input  logic [M-1:0]      valid2_i,  // b_g (Top2)
  input  logic [M*KeyW-1:0] key2_i,
  output logic [M-1:0]      first_o,
  output logic [M-1:0]      second_o,
  output logic [M-1:0]      second2_o
);
  if (M < 1 || KeyW < 1) begin : gen_bad_param
    $error("vs_least: M and KeyW must be >= 1");
  end

  // lt[g*M+h], g < h: a_g's key < a_h's key (each pair once; 0 elsewhere)
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

  // beats[g*M+h], g != h: a_g comes before a_h (a_h invalid, or a_g's key
  // smaller; for two valid candidates !(a_h < a_g) is a_g < a_h, the keys
  // being unique)
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
    // ab_lt[g*M+h], g != h: a_g's key < b_h's key (so b_h < a_g is its
    // negation when both are valid)
    logic [M*M-1:0] ab_lt;
    for (genvar g = 0; g < M; g++) begin : gen_a
      for (genvar h = 0; h < M; h++) begin : gen_b
        if (h != g) begin : gen_lt
          assign ab_lt[g*M+h] = key_i[g*KeyW +: KeyW] < key2_i[h*KeyW +: KeyW];
        end else begin : gen_unused
          assign ab_lt[g*M+h] = 1'b0;
        end
      end
    end
    always_comb begin
      for (int g = 0; g < M; g++) begin
        // a_g: not first, before every other a but the first, and before
        // the first's group's b
        second_o[g] = valid_i[g] && !first_o[g];
        // b_g: its group is first, and it comes before every other a
        second2_o[g] = valid2_i[g] && first_o[g];
        for (int h = 0; h < M; h++) begin
          if (h != g) begin
            second_o[g]  = second_o[g] && (beats[g*M+h] || first_o[h]) &&
                           (!first_o[h] || !valid2_i[h] || ab_lt[g*M+h]);
            second2_o[g] = second2_o[g] && (!valid_i[h] || !ab_lt[h*M+g]);
          end
        end
      end
    end
  end else begin : gen_no_second
    assign second_o  = '0;
    assign second2_o = '0;
    logic unused_second;
    assign unused_second = ^{valid2_i, key2_i};
  end

`ifndef SYNTHESIS
  // The valid keys differ (else no candidate, or two, could come first).
  always_comb begin
    for (int g = 0; g < M; g++) begin
      for (int h = 0; h < M; h++) begin
        if (h > g) begin
          assert (!(valid_i[g] && valid_i[h] && key_i[g*KeyW +: KeyW] == key_i[h*KeyW +: KeyW]))
            else $error("vs_least: groups %0d and %0d offer the same least key", g, h);
        end
        if (Top2 && h != g) begin
          assert (!(valid_i[g] && valid2_i[h] && key_i[g*KeyW +: KeyW] == key2_i[h*KeyW +: KeyW]))
            else $error("vs_least: group %0d's least and group %0d's second have the same key", g, h);
        end
      end
    end
  end
`endif
endmodule
