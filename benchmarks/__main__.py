"""`python -m benchmarks` (`make bench`): every benchmark in turn, each printing its figures."""

from benchmarks import (
    analytics_letters,
    city_load,
    demands,
    durability,
    import_letters,
    mailbox_submit,
    page_weight,
    survey_results,
)

if __name__ == "__main__":
    mailbox_submit.main([])
    print()
    durability.main(["--postgres"])
    print()
    city_load.main([])
    print()
    survey_results.main([])
    print()
    page_weight.main([])
    print()
    analytics_letters.main([])
    print()
    demands.main([])
    print()
    import_letters.main(["--rows", "1000000", "--postgres"])
