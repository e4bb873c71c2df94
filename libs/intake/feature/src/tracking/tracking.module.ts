import { Module } from '@nestjs/common';
import { PublicCases } from './public-case';
import { TrackingController } from './tracking.controller';

/** The public tracking pages (GET/POST /track). Reads the case log of the global infrastructure module. */
@Module({
  controllers: [TrackingController],
  providers: [PublicCases],
  exports: [PublicCases],
})
export class TrackingModule {}
