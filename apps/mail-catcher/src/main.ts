import 'reflect-metadata';
import { envInt, startHttpService } from '@caseline/service-kit';
import { AppModule } from './app.module';

void startHttpService(AppModule, { name: 'mail-catcher', port: envInt('MAIL_CATCHER_PORT', 3025) });
