import { runStorageConformance } from './conformance.js';

runStorageConformance('overlay');
