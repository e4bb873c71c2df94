import 'reflect-metadata';
import { envInt, startCaselineService } from '@caseline/service-kit';
import { NotificationModule } from '@caseline/notification-feature';

void startCaselineService(NotificationModule, { name: 'notification', port: envInt('NOTIFICATION_PORT', 3003), consumerGroup: 'notification' });
