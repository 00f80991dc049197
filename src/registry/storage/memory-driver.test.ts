import { driverSuite } from './driver-suite.js';
import { MemoryDriver } from './memory-driver.js';

driverSuite('memory', async () => ({ driver: new MemoryDriver(), cleanup: async () => {} }));
