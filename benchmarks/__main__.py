"""`python -m benchmarks`: every benchmark in turn, each printing its figures."""

from benchmarks import mailbox_submit

if __name__ == "__main__":
    mailbox_submit.main([])
