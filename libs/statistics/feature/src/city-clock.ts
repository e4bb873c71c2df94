import { Injectable } from '@nestjs/common';
import { loadCityConfig } from '@caseline/city-config';

/** The city's time zone: its days are the figures' days. */
@Injectable()
export class CityClock {
  readonly timeZone = loadCityConfig().city.timeZone;
}
