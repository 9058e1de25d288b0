# sieve-example.sieve - sort mail on the headers twoway adds.
#
# twoway-milter and twoway-filter(1) add these headers to incoming mail:
#
#   X-Twoway-Ask: yes; score=0.87; cue="Could you review the draft by Friday?"
#       the message asks you for an answer or for help;
#   X-Twoway-Thread: unanswered; asks=2; since=2026-11-20T09:14:00Z
#       its thread holds asks to you that are still open.
#
# This script flags mail in threads that wait on you, and files the
# asks themselves in the folder "Needs reply".  Everything else stays
# in the inbox.
#
# twoway removes any X-Twoway-* header that arrives from outside, so
# the headers can be trusted when all incoming mail passes through
# twoway before this script runs.  Where it does not, anyone can add
# them.
#
# Install it with your server's Sieve tools (for example ManageSieve,
# or sievec and a link from ~/.dovecot.sieve with Dovecot's Pigeonhole).
# The folder must exist; with the "mailbox" extension you may write
# fileinto :create "Needs reply"; to have it made.

require ["fileinto", "imap4flags"];

# Flags set here stay with the message wherever it is filed below, so
# set them first.
if header :contains "X-Twoway-Thread" "unanswered" {
    addflag "\\Flagged";
}

if header :contains "X-Twoway-Ask" "yes" {
    fileinto "Needs reply";
    stop;
}
