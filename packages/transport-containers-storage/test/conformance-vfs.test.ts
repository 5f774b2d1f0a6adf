import { runStorageConformance } from './conformance.js';

runStorageConformance('vfs');
