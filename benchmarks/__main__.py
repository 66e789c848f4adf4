"""`python -m benchmarks` (`make bench`): every benchmark in turn, each printing its figures."""

from benchmarks import mailbox_submit, survey_results

if __name__ == "__main__":
    mailbox_submit.main([])
    print()
    survey_results.main([])
