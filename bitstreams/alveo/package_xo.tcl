# Packages the vShard RTL engine as a Vitis kernel (.xo). UNTESTED here.
# vivado -mode batch -source package_xo.tcl -tclargs ROOT ALVEO_DIR XO NCORES NVCPUS NNODES MAXSHARDS PART
set root      [lindex $argv 0]
set here      [lindex $argv 1]
set xo_path   [lindex $argv 2]
set ncores    [lindex $argv 3]
set nvcpus    [lindex $argv 4]
set nnodes    [lindex $argv 5]
set maxshards [lindex $argv 6]
set part      [lindex $argv 7]
set ip_dir    [file join [file dirname $xo_path] vs_engine_ip]

create_project -force vs_engine_pkg [file join [file dirname $xo_path] vs_engine_pkg] -part $part
set srcs {}
set fp [open [file join $root rtl vshard.f] r]
foreach line [split [read $fp] "\n"] {
  set line [string trim $line]
  if {$line eq "" || [string match "#*" $line] || [string match "//*" $line]} { continue }
  lappend srcs [file join $root $line]
}
close $fp
lappend srcs [file join $here vs_krnl_top.sv]
add_files -norecurse $srcs
set_property file_type SystemVerilog [get_files *.sv]
set_property top vs_krnl_top [current_fileset]
set_property generic "NCores=$ncores NVcpus=$nvcpus NNodes=$nnodes MaxShards=$maxshards" [current_fileset]
update_compile_order -fileset sources_1

ipx::package_project -root_dir $ip_dir -vendor vshard.org -library kernel -taxonomy /KernelIP -import_files -set_current false
ipx::unload_core $ip_dir/component.xml
ipx::edit_ip_in_project -upgrade true -name tmp_edit_project -directory $ip_dir $ip_dir/component.xml
set core [ipx::current_core]
set_property core_revision 1 $core
foreach p [ipx::get_user_parameters -of_objects $core] { set_property value_resolve_type user $p }
ipx::associate_bus_interfaces -busif s_axi_control -clock ap_clk $core
ipx::associate_bus_interfaces -busif s_axis_evt -clock ap_clk $core
ipx::associate_bus_interfaces -busif m_axis_dec -clock ap_clk $core
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
set_property ipi_drc {ignore_freq_hz true} $core
set_property vitis_drc {ctrl_protocol user_managed} $core
ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity -kernel $core
ipx::save_core $core
close_project -delete

package_xo -force -xo_path $xo_path -kernel_name vs_engine -ip_directory $ip_dir -kernel_xml [file join $here kernel.xml] -ctrl_protocol user_managed
puts "package_xo.tcl: wrote $xo_path"
