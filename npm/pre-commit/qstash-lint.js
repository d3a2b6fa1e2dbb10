#!/usr/bin/env node
// pre-commit's `language: node` installs this repository as a package (the
// root package.json) with `npm install -g`, which links only that package's
// own bins: this one runs the launcher of its qstash-lint dependency.
"use strict";

require("qstash-lint/bin/qstash-lint");
