import 'reflect-metadata';
import { envInt, startCaselineService } from '@caseline/service-kit';
import { RoutingModule } from '@caseline/routing-feature';

void startCaselineService(RoutingModule, { name: 'routing', port: envInt('ROUTING_PORT', 3001), consumerGroup: 'routing' });
