import 'reflect-metadata';
import { envInt, startCaselineService } from '@caseline/service-kit';
import { StatisticsModule } from '@caseline/statistics-feature';

void startCaselineService(StatisticsModule, { name: 'statistics', port: envInt('STATISTICS_PORT', 3005) });
