set terminal pngcairo size 900,600
set output 'latency_cdf.png'
set title 'Request latency CDF — overcommit-256c, seed 3'
set logscale x
set xlabel 'request latency (µs)'
set ylabel 'fraction of requests'
set key bottom right
set grid
plot 'cdf_fifo.dat' using 1:2 with lines lw 2 title 'fifo', 'cdf_credit.dat' using 1:2 with lines lw 2 title 'credit', 'cdf_credit2.dat' using 1:2 with lines lw 2 title 'credit2', 'cdf_eevdf.dat' using 1:2 with lines lw 2 title 'eevdf', 'cdf_vtslice.dat' using 1:2 with lines lw 2 title 'vtslice', 'cdf_shard-sw.dat' using 1:2 with lines lw 2 title 'shard-sw', 'cdf_shard-hw.dat' using 1:2 with lines lw 2 title 'shard-hw', 'cdf_shard-pre.dat' using 1:2 with lines lw 2 title 'shard-pre'
unset logscale x
set terminal svg size 900,600
set output 'latency_cdf.svg'
set title 'Request latency CDF — overcommit-256c, seed 3'
set logscale x
set xlabel 'request latency (µs)'
set ylabel 'fraction of requests'
set key bottom right
set grid
plot 'cdf_fifo.dat' using 1:2 with lines lw 2 title 'fifo', 'cdf_credit.dat' using 1:2 with lines lw 2 title 'credit', 'cdf_credit2.dat' using 1:2 with lines lw 2 title 'credit2', 'cdf_eevdf.dat' using 1:2 with lines lw 2 title 'eevdf', 'cdf_vtslice.dat' using 1:2 with lines lw 2 title 'vtslice', 'cdf_shard-sw.dat' using 1:2 with lines lw 2 title 'shard-sw', 'cdf_shard-hw.dat' using 1:2 with lines lw 2 title 'shard-hw', 'cdf_shard-pre.dat' using 1:2 with lines lw 2 title 'shard-pre'
unset logscale x
set terminal pngcairo size 900,600
set output 'throughput.png'
set title 'Batch throughput — overcommit-256c (mean, 95 % CI)'
set style fill solid 0.6
set boxwidth 0.6
set ylabel 'blocks per simulated second'
set xlabel ''
set yrange [0:*]
unset key
set grid ytics
set xrange [-0.5:7.5]
plot 'throughput.dat' using 0:2:3:xtic(1) with boxerrorbars
set xrange [*:*]
set terminal svg size 900,600
set output 'throughput.svg'
set title 'Batch throughput — overcommit-256c (mean, 95 % CI)'
set style fill solid 0.6
set boxwidth 0.6
set ylabel 'blocks per simulated second'
set xlabel ''
set yrange [0:*]
unset key
set grid ytics
set xrange [-0.5:7.5]
plot 'throughput.dat' using 0:2:3:xtic(1) with boxerrorbars
set xrange [*:*]
set terminal pngcairo size 900,600
set output 'request_tail.png'
set title 'Request latency tail — overcommit-256c (mean over seeds, 95 % CI)'
set logscale y
set ylabel 'request latency (µs)'
set xlabel ''
set yrange [*:*]
set key below
set grid ytics
set xrange [-0.5:7.5]
plot 'request_tail.dat' using ($0-0.12):2:3:4:xtic(1) with yerrorbars pt 7 title 'p99', '' using ($0+0.12):5:6:7 with yerrorbars pt 5 title 'p99.9'
unset logscale y
set xrange [*:*]
set key default
set terminal svg size 900,600
set output 'request_tail.svg'
set title 'Request latency tail — overcommit-256c (mean over seeds, 95 % CI)'
set logscale y
set ylabel 'request latency (µs)'
set xlabel ''
set yrange [*:*]
set key below
set grid ytics
set xrange [-0.5:7.5]
plot 'request_tail.dat' using ($0-0.12):2:3:4:xtic(1) with yerrorbars pt 7 title 'p99', '' using ($0+0.12):5:6:7 with yerrorbars pt 5 title 'p99.9'
unset logscale y
set xrange [*:*]
set key default
