# Packages a vShard RTL kernel as a Vitis kernel (.xo). UNTESTED here (no Vivado):
# neither layout has been packaged; the wrappers are only linted (check_flow.py).
# vivado -mode batch -source package_xo.tcl -tclargs ROOT ALVEO_DIR XO NCORES NVCPUS NNODES MAXSHARDS PART LAYOUT
#   LAYOUT ring:   kernel vs_card   = vs_krnl_card.sv (rtl/vs_card_top.sv: engine + DMA ring front-end),
#                  kernel_card.xml, interfaces s_axi_control and m_axi_gmem (AXI4 master, 64-bit
#                  addresses); the pointer registers EVQ_BASE, DQ_BASE, PRESTAGE_BASE are tied to
#                  m_axi_gmem (ASSOCIATED_BUSIF), as the RTL Kernel Wizard's package script does.
#   LAYOUT movers: kernel vs_engine = vs_krnl_top.sv (rtl/vs_top.sv), kernel.xml, interfaces
#                  s_axi_control, s_axis_evt, m_axis_dec (between the HLS data movers).
set root      [lindex $argv 0]
set here      [lindex $argv 1]
set xo_path   [lindex $argv 2]
set ncores    [lindex $argv 3]
set nvcpus    [lindex $argv 4]
set nnodes    [lindex $argv 5]
set maxshards [lindex $argv 6]
set part      [lindex $argv 7]
set layout    [lindex $argv 8]
if {$layout eq "ring"} {
  set kernel vs_card
  set top    vs_krnl_card
  set xml    kernel_card.xml
  set busifs {s_axi_control m_axi_gmem}
} elseif {$layout eq "movers"} {
  set kernel vs_engine
  set top    vs_krnl_top
  set xml    kernel.xml
  set busifs {s_axi_control s_axis_evt m_axis_dec}
} else {
  puts "package_xo.tcl: LAYOUT must be ring or movers, not '$layout'"
  exit 1
}
set ip_dir    [file join [file dirname $xo_path] ${kernel}_ip]

create_project -force ${kernel}_pkg [file join [file dirname $xo_path] ${kernel}_pkg] -part $part
set srcs {}
set incdirs {}
set fp [open [file join $root rtl vshard.f] r]
foreach line [split [read $fp] "\n"] {
  set line [string trim $line]
  if {$line eq "" || [string match "#*" $line] || [string match "//*" $line]} { continue }
  # +incdir+DIR: the `include files (vs_*.svh; only read under FORMAL or
  # outside SYNTHESIS, so synthesis never opens them); other options skipped
  if {[string match "+incdir+*" $line]} {
    lappend incdirs [file join $root [string range $line 8 end]]
    continue
  }
  if {[string match "+*" $line] || [string match "-*" $line]} { continue }
  lappend srcs [file join $root $line]
}
close $fp
lappend srcs [file join $here ${top}.sv]
add_files -norecurse $srcs
if {[llength $incdirs]} { set_property include_dirs $incdirs [current_fileset] }
set_property file_type SystemVerilog [get_files *.sv]
set_property top $top [current_fileset]
set_property generic "NCores=$ncores NVcpus=$nvcpus NNodes=$nnodes MaxShards=$maxshards" [current_fileset]
update_compile_order -fileset sources_1

ipx::package_project -root_dir $ip_dir -vendor vshard.org -library kernel -taxonomy /KernelIP -import_files -set_current false
ipx::unload_core $ip_dir/component.xml
ipx::edit_ip_in_project -upgrade true -name tmp_edit_project -directory $ip_dir $ip_dir/component.xml
set core [ipx::current_core]
set_property core_revision 1 $core
foreach p [ipx::get_user_parameters -of_objects $core] { set_property value_resolve_type user $p }
foreach busif $busifs { ipx::associate_bus_interfaces -busif $busif -clock ap_clk $core }
if {$layout eq "ring"} {
  # The register map as Vitis reads it: the 64-bit pointer arguments at the
  # regs.h offsets of their LO words (kernel_card.xml), each tied to m_axi_gmem.
  set mem_map    [::ipx::add_memory_map -quiet s_axi_control $core]
  set addr_block [::ipx::add_address_block -quiet reg0 $mem_map]
  set_property range 0x1000 $addr_block
  set_property width 32 $addr_block
  foreach {name offset} {evq_base 0x080 dq_base 0x094 prestage_base 0x0AC} {
    set reg [::ipx::add_register -quiet $name $addr_block]
    set_property address_offset $offset $reg
    set_property size 64 $reg
    set regparam [::ipx::add_register_parameter -quiet ASSOCIATED_BUSIF $reg]
    set_property value m_axi_gmem $regparam
  }
  set_property slave_memory_map_ref s_axi_control [::ipx::get_bus_interfaces -of $core s_axi_control]
}
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
set_property ipi_drc {ignore_freq_hz true} $core
set_property vitis_drc {ctrl_protocol user_managed} $core
ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity -kernel $core
ipx::save_core $core
close_project -delete

package_xo -force -xo_path $xo_path -kernel_name $kernel -ip_directory $ip_dir -kernel_xml [file join $here $xml] -ctrl_protocol user_managed
puts "package_xo.tcl: wrote $xo_path ($layout layout, kernel $kernel)"
