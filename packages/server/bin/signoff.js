#!/usr/bin/env node
// A committed entry point, so npm can link the `signoff` binary before the build has run.
import '../dist/src/cli/main.js';
