// The mooseng package's library entry: the role table of the composition root, for tools and tests that load
// configs or assemble roles as the CLI does (the commands themselves live in commands/).
export { ROLES } from './roles';
