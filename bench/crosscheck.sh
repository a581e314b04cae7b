#!/usr/bin/env bash
# Cross-checks ipcfs against lsof -nP +E on every process of the host:
#   pipes and FIFOs  the reader-writer pairs lsof's endpoint lists give must
#                    be exactly ipcfs's peer pairs;
#   eventfd          every two holders of one eventfd must be peers, and
#                    nothing else;
#   pty              the master-slave pairs lsof's endpoint lists give (a
#                    master names every fd on its slave, a slave every fd
#                    on its master) must be exactly ipcfs's peer pairs;
#   unix, TCP        the one far end lsof names must be an ipcfs peer.
# Only processes alive through the whole check count (ipcfs's view is taken
# before lsof runs and the processes are checked again after).
# usage: bench/crosscheck.sh [BUILDDIR]     (root; prints counts, exits 1
#                                            on any difference)
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${1:-build}
work=$(mktemp -d)
mnt=$work/mnt
mkdir -p "$mnt"
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

"$builddir/ipcfs" "$mnt" -o ttl=1000
cat "$mnt/channels" >"$work/channels"
lsof -nP -w +E -F pftan >"$work/lsof" 2>/dev/null || true
# Processes in both views and still alive: the ones whose fds both saw.
awk -F'\t' 'NR > 1 { print $2 }' "$work/channels" | sort -u >"$work/ipcfs.pids"
sed -n 's/^p//p' "$work/lsof" | sort -u >"$work/lsof.pids"
comm -12 "$work/ipcfs.pids" "$work/lsof.pids" | while read -r p; do
	[ -d "/proc/$p" ] && echo "$p"
done | paste -sd, - >"$work/pids"

# lsof: "kind a b" for each endpoint a lsof lists with a far end b (pid:fd).
perl -ne '
	BEGIN { open my $f, "<", shift @ARGV; %want = map { $_ => 1 } split /,/, <$f> =~ s/\s+//r }
	chomp;
	if (/^p(\d+)/) { $pid = $1; next }
	if (/^f(.*)/)  { $fd = $1; $acc = $type = ""; next }
	if (/^a(.*)/)  { $acc = $1; next }
	if (/^t(.*)/)  { $type = $1; next }
	next unless /^n(.*)/;
	my $n = $1;
	next unless $want{$pid} && $fd =~ /^\d+$/;
	my $kind = $type eq "FIFO" ? "pipe" : $type eq "unix" ? "unix" :
		   $type =~ /^IPv[46]$/ && $n =~ /TCP|->/ ? "inet" :
		   $n =~ /^\[eventfd:/ ? "eventfd" :
		   $type eq "CHR" && $n =~ m{^/dev/(ptmx|pts/\d+) } ? "pty" : "";
	next unless $kind;
	while ($n =~ / (\d+),(.*?),(\d+)([rwu])(?= |$)/g) {
		my ($pp, $pf, $pm) = ($1, $3, $4);
		next unless $want{$pp};
		if ($kind eq "pipe") {	# a reader with a writer (u is both)
			my $r1 = $acc =~ /[ru]/; my $w1 = $acc =~ /[wu]/;
			my $r2 = $pm =~ /[ru]/;  my $w2 = $pm =~ /[wu]/;
			next unless ($r1 && $w2) || ($w1 && $r2);
		}
		print "$kind $pid:$fd $pp:$pf\n";
	}' "$work/pids" "$work/lsof" | sort -u >"$work/lsof.pairs"

# ipcfs: "kind a b" for each fd endpoint and peer, the kinds lsof can tell.
awk -F'\t' -v pids=",$(cat "$work/pids")," '
	NR > 1 && index(pids, "," $2 ",") && $7 != "-" && $4 ~ /^[0-9]+$/ {
		if ($1 == "pipes" || $1 == "fifos") kind = "pipe"
		else if ($1 == "unix" || $1 == "eventfd" || $1 == "pty") kind = $1
		else if ($1 ~ /^(tcp|udp)/) kind = "inet"
		else next
		n = split($7, l, ",")
		for (i = 1; i <= n; i++) {
			split(l[i], q, ":")
			if (index(pids, "," q[1] ",") && q[2] ~ /^[0-9]+$/)
				print kind, $2 ":" $4, l[i]
		}
	}' "$work/channels" | sort -u >"$work/ipcfs.pairs"

status=0
report() {	# report KIND EXACT: compare the pairs of one kind
	local kind=$1 exact=$2 n_lsof n_ipcfs missing extra
	n_lsof=$(grep -c "^$kind " "$work/lsof.pairs" || true)
	n_ipcfs=$(grep -c "^$kind " "$work/ipcfs.pairs" || true)
	missing=$(comm -23 <(grep "^$kind " "$work/lsof.pairs") <(grep "^$kind " "$work/ipcfs.pairs") | wc -l)
	extra=$(comm -13 <(grep "^$kind " "$work/lsof.pairs") <(grep "^$kind " "$work/ipcfs.pairs") | wc -l)
	[ "$exact" = yes ] || extra=-
	printf '%-8s lsof pairs %6d  ipcfs pairs %6d  lsof pairs not in ipcfs %d  ipcfs pairs not in lsof %s\n' \
		"$kind" "$n_lsof" "$n_ipcfs" "$missing" "$extra"
	if [ "$missing" != 0 ] || { [ "$exact" = yes ] && [ "$extra" != 0 ]; }; then
		status=1
		comm -3 <(grep "^$kind " "$work/lsof.pairs") <(grep "^$kind " "$work/ipcfs.pairs") | head -n 5
	fi
}
echo "processes checked: $(tr ',' '\n' <"$work/pids" | wc -l), ipcfs endpoints: $(($(wc -l <"$work/channels") - 1))"
report pipe yes
report eventfd yes
report pty yes
# lsof +E names one far end of a unix or TCP socket: it must be a peer.
report unix no
report inet no
exit $status
