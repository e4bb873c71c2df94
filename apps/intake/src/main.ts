import 'reflect-metadata';
import { envInt, startCaselineService } from '@caseline/service-kit';
import { IntakeModule } from '@caseline/intake-feature';

void startCaselineService(IntakeModule, { name: 'intake', port: envInt('INTAKE_PORT', 3000), consumerGroup: 'intake' });
