set datafile missing 'NaN'
set title 'arm-share: prefill_time_s' noenhanced
set xlabel 'description' noenhanced
set ylabel 'prefill_time_s' noenhanced
set key below noenhanced
set grid
set format y '%g'
set terminal svg size 900,540 dynamic
set output 'results/studies/arm-fallback/share-results/prefill_time_s.svg'
plot 'results/studies/arm-fallback/share-results/prefill_time_s.dat' using 0:2:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=4 parallel.pipeline=4', 'results/studies/arm-fallback/share-results/prefill_time_s.dat' using 0:3:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=4 parallel.pipeline=4'
set terminal pngcairo size 900,540
set output 'results/studies/arm-fallback/share-results/prefill_time_s.png'
plot 'results/studies/arm-fallback/share-results/prefill_time_s.dat' using 0:2:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=4 parallel.pipeline=4', 'results/studies/arm-fallback/share-results/prefill_time_s.dat' using 0:3:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=4 parallel.pipeline=4'
