import 'reflect-metadata';
import { envInt, runInWorkers, startCaselineService } from '@caseline/service-kit';
import { IntakeModule } from '@caseline/intake-feature';

// INTAKE_WORKERS > 1 runs that many intake processes on one port (one per core is the useful most).
runInWorkers(envInt('INTAKE_WORKERS', 1), () => startCaselineService(IntakeModule, { name: 'intake', port: envInt('INTAKE_PORT', 3000), consumerGroup: 'intake' }));
