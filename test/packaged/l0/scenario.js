// An L0 scenario for MockTestRunner: runs the built KeyVaultSync bundle with the inputs given as
// JSON in KVDR_L0_INPUTS. azure-pipelines-task-lib is bundled into the task, so it is not mocked.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- MockTestRunner runs this file with plain node, as CommonJS. */
const path = require('node:path');
const { TaskMockRunner } = require('azure-pipelines-task-lib/mock-run');

const runner = new TaskMockRunner(path.join(__dirname, '..', '..', '..', 'tasks', 'KeyVaultSync', 'dist', 'index.js'));
for (const [name, value] of Object.entries(JSON.parse(process.env.KVDR_L0_INPUTS || '{}'))) runner.setInput(name, value);
runner.run(true);
