# SPDX-License-Identifier: Apache-2.0
# Plot for bench/run-bench: one candlestick per scenario and runtime
# (whiskers min..max, box first..third quartile, bar at the median), on a
# log scale.  Called with -e "datafile=...; outfile=...; xticlist=...;
# xmax=...; title=...; subtitle=..." (subtitle may be "").  Optional:
# ylabeltext, and key1..key4, the key's names for colours 1..4 (an empty
# one leaves that colour out of the key); bench/checkpoint-bench sets them.
# Data columns: x min q1 median q3 max colour name.
if (!exists("ylabeltext")) ylabeltext = "wall time, ms (log scale)"
if (!exists("key1")) key1 = "hydra-runc"
if (!exists("key2")) key2 = "runc"
if (!exists("key3")) key3 = "crun"
if (!exists("key4")) key4 = "reference (floor, wrapper, bare)"
set terminal pngcairo size 1400,700 font "sans,11"
set output outfile
set title (strlen(subtitle) > 0 ? title."\n".subtitle : title)
set logscale y
set ylabel ylabeltext
set grid ytics mytics
set xrange [-1:xmax]
set xtics rotate by -25 scale 0
eval "set xtics (".xticlist.")"
set boxwidth 0.7
set key top left
set style fill solid 0.35 border
set linetype 1 lc rgb "#d62728"
set linetype 2 lc rgb "#1f77b4"
set linetype 3 lc rgb "#2ca02c"
set linetype 4 lc rgb "#7f7f7f"
plot datafile using 1:3:2:6:5:7 with candlesticks whiskerbars 0.5 lc variable notitle, \
     ''       using 1:4:4:4:4:7 with candlesticks lc variable lw 2 notitle, \
     ''       using 1:($6*1.25):8 with labels rotate by 90 left font "sans,8" notitle, \
     NaN with boxes lt 1 title key1, \
     NaN with boxes lt 2 title key2, \
     NaN with boxes lt 3 title key3, \
     NaN with boxes lt 4 title key4
