import { Module } from '@nestjs/common';
import { HealthModule } from '@caseline/service-kit';
import { IssuerController } from './issuer.controller';
import { Issuer } from './issuer';

@Module({ imports: [HealthModule], controllers: [IssuerController], providers: [Issuer] })
export class AppModule {}
