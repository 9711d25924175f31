#!/usr/bin/env node
// The mooseng command. oclif finds the commands in dist/commands and the plugins named in package.json.
require('@oclif/core').execute({ dir: __dirname }).catch(require('@oclif/core').handle);
