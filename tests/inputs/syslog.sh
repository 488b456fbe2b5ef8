#!/bin/sh
# syslog.sh -- syslog inputs where golden files cannot reach (issue 14, engine/input/syslog.h):
# --fields lists their fields, and a gzip stream and a plain file read alike.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip.
set -u
command -v gzip >/dev/null || exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
printf '%s\n' 'Dec 13 11:35:28 a-mac GoogleSoftwareUpdateAgent[21412]: ticket:' \
    '		ticketStore=<KSPersistentTicketStore:0x100204520>' \
    'Dec 13 11:35:29 a-mac kernel[0]: done' \
    'Dec 13 11:35:30 a-mac syslogd: ASL Sender Statistics' > "$t/sys.log"
want='@ingestionTime,3,timestamp
@log,3,string
@logStream,3,string
@message,3,string
@timestamp,3,timestamp
host,3,string
message,3,string
program,3,string
pid,2,number'
check "--fields" "$want" "$("$LIQ" --fields --year 2016 --format csv --no-header "$t/sys.log")"
printf '%s\n' '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] An application event' > "$t/5424.log"
want='@ingestionTime,1,timestamp
@log,1,string
@logStream,1,string
@message,1,string
@timestamp,1,timestamp
examplePriority@32473.class,1,string
exampleSDID@32473.eventSource,1,string
exampleSDID@32473.iut,1,string
facility,1,number
host,1,string
message,1,string
msgid,1,string
program,1,string
severity,1,number
structuredData,1,string'
check "--fields, RFC 5424" "$want" "$("$LIQ" --fields --format csv --no-header "$t/5424.log")"
gzip -c "$t/sys.log" > "$t/sys.log.gz"
q='fields program, pid, message'
check "gzip = plain" "$("$LIQ" --year 2016 --format csv "$q" "$t/sys.log")" \
    "$("$LIQ" --year 2016 --format csv "$q" "$t/sys.log.gz")"
[ "$fails" -eq 0 ] || exit 1
