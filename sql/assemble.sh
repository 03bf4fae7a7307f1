#!/bin/sh
# Assembles the extension's SQL scripts from the parts under sql/<version>/.
#
#   sh sql/assemble.sh --list  V1 V2 ...   print the script names
#   sh sql/assemble.sh --build V1 V2 ...   write them
#
# Versions come in ascending order.  jobstream--Vn.sql holds the parts of
# V1..Vn; jobstream--Vn-1--Vn.sql holds the parts of Vn alone.
set -eu
mode=$1
shift
dir=$(dirname "$0")
guard='\echo Use "CREATE EXTENSION jobstream" to load this file. \quit'
prev=
upto=
for v in "$@"; do
	install="$dir/jobstream--$v.sql"
	if [ "$mode" = --list ]; then
		echo "$install"
		[ -n "$prev" ] && echo "$dir/jobstream--$prev--$v.sql"
	else
		upto="$upto $v"
		{
			echo "-- jobstream $v install script, assembled from sql/<version>/*.sql by sql/assemble.sh"
			printf '%s\n' "$guard"
			for u in $upto; do
				for part in "$dir/$u"/*.sql; do
					echo
					echo "-- $u/$(basename "$part")"
					cat "$part"
				done
			done
		} > "$install"
		if [ -n "$prev" ]; then
			{
				echo "-- jobstream $prev to $v upgrade script, assembled from sql/$v/*.sql"
				printf '%s\n' "$guard"
				for part in "$dir/$v"/*.sql; do
					echo
					echo "-- $v/$(basename "$part")"
					cat "$part"
				done
			} > "$dir/jobstream--$prev--$v.sql"
		fi
	fi
	prev=$v
done
