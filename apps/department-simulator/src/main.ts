import 'reflect-metadata';
import { envInt, startHttpService } from '@caseline/service-kit';
import { AppModule } from './app.module';

void startHttpService(AppModule, { name: 'department-simulator', port: envInt('SIMULATOR_PORT', 3010) });
