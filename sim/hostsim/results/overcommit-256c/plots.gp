set terminal pngcairo size 900,600
set output 'latency_cdf.png'
set title 'Request latency CDF — overcommit-256c'
set logscale x
set xlabel 'request latency (µs)'
set ylabel 'fraction of requests'
set key bottom right
set grid
plot 'cdf_fifo.dat' using 1:2 with lines lw 2 title 'fifo', 'cdf_credit.dat' using 1:2 with lines lw 2 title 'credit', 'cdf_vtslice.dat' using 1:2 with lines lw 2 title 'vtslice', 'cdf_shard-sw.dat' using 1:2 with lines lw 2 title 'shard-sw', 'cdf_shard-hw.dat' using 1:2 with lines lw 2 title 'shard-hw', 'cdf_shard-pre.dat' using 1:2 with lines lw 2 title 'shard-pre'
unset logscale x
set terminal svg size 900,600
set output 'latency_cdf.svg'
set title 'Request latency CDF — overcommit-256c'
set logscale x
set xlabel 'request latency (µs)'
set ylabel 'fraction of requests'
set key bottom right
set grid
plot 'cdf_fifo.dat' using 1:2 with lines lw 2 title 'fifo', 'cdf_credit.dat' using 1:2 with lines lw 2 title 'credit', 'cdf_vtslice.dat' using 1:2 with lines lw 2 title 'vtslice', 'cdf_shard-sw.dat' using 1:2 with lines lw 2 title 'shard-sw', 'cdf_shard-hw.dat' using 1:2 with lines lw 2 title 'shard-hw', 'cdf_shard-pre.dat' using 1:2 with lines lw 2 title 'shard-pre'
unset logscale x
set terminal pngcairo size 900,600
set output 'throughput.png'
set title 'Batch throughput — overcommit-256c'
set style fill solid 0.6
set boxwidth 0.6
set ylabel 'blocks per simulated second'
set xlabel ''
set yrange [0:*]
unset key
set grid ytics
plot 'throughput.dat' using 0:2:xtic(1) with boxes
set terminal svg size 900,600
set output 'throughput.svg'
set title 'Batch throughput — overcommit-256c'
set style fill solid 0.6
set boxwidth 0.6
set ylabel 'blocks per simulated second'
set xlabel ''
set yrange [0:*]
unset key
set grid ytics
plot 'throughput.dat' using 0:2:xtic(1) with boxes
