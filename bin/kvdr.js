#!/usr/bin/env node
'use strict';
// The CLI is bundled by `npm run prepare` (it runs on `npm ci`) into dist/kvdr.js.
require('../dist/kvdr.js');
