# Two commands: `make demo` (set up, then grade the solutions and a faulty example) and
# `make test` (set up, then run the whole suite). Both create .venv on a fresh machine.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The CPU build first, so that no multi-GB CUDA build is pulled in. GPU users: see README.
TORCH  ?= torch==2.13.0
PROFILE ?= ci

.PHONY: setup demo test lint bench profile mutation catalogs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[course,batch,dev]'
	touch $(STAMP)

demo: setup
	@echo "== Reference solutions: expect full marks ==================================="
	$(VENV)/bin/autograder grade solutions --profile $(PROFILE)
	@echo "== examples/faulty: three classic optimizer mistakes, other modules missing ===="
	$(VENV)/bin/autograder grade examples/faulty --profile $(PROFILE)

# --dist loadgroup: tests/conftest.py's scheduler (a module fixture built once, a mutant graded
# once); --no-loadscope-reorder: the slow tests, put first by conftest, are handed out first.
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest tests -q -p no:cacheprovider -n 2 --dist loadgroup --no-loadscope-reorder --durations=15

lint: setup
	$(VENV)/bin/ruff check autograder grading_tests solutions tests benchmarks
	$(VENV)/bin/mypy

bench: setup
	$(PY) benchmarks/bench_grading.py
	$(PY) benchmarks/bench_class.py --students 3 --workers 2 --check 1
	$(PY) benchmarks/bench_nbgrader.py --students 5

# Where a complete submission's grading time goes, topic by topic: grader vs workers (issue 13).
profile: setup
	$(PY) benchmarks/profile_topics.py --profile grading

# Mechanical mutation score of the grading tests (long: not in CI; see docs/DEVELOPING.md).
# e.g. make mutation MUTATION_ARGS="--topics conv pooling --max-mutants 80"
MUTATION_ARGS ?=
mutation: setup
	nice -n 10 $(PY) scripts/mutation_score.py $(MUTATION_ARGS)

# The message catalogs (autograder/i18n.py): extract every marked message into the template,
# merge it into each language's .po (translate what is new there), compile the .mo that ships.
LOCALES := autograder/locale
CHECK_LOCALES := autograder/student/public_checks/locale
catalogs: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
		--project dl-autograder --version 0.1.0 --msgid-bugs-address "" -o $(LOCALES)/autograder.pot .
	$(VENV)/bin/pybabel update -i $(LOCALES)/autograder.pot -d $(LOCALES) -D autograder -l zh_CN \
		--init-missing --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d $(LOCALES) -D autograder --statistics
	# The public checks' own domain (they ship to students without the grader).
	$(VENV)/bin/pybabel extract -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
		--project dl-autograder --version 0.1.0 -o $(CHECK_LOCALES)/public_checks.pot autograder/student/public_checks autograder/student/course
	$(VENV)/bin/pybabel update -i $(CHECK_LOCALES)/public_checks.pot -d $(CHECK_LOCALES) -D public_checks \
		-l zh_CN --init-missing --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d $(CHECK_LOCALES) -D public_checks --statistics

clean:
	rm -rf $(VENV) build *.egg-info
