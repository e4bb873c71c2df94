import { allChannels, defineService, isOfferedOn, isPublicChannel } from './service-definition';

describe('service definitions', () => {
  it('fills in the defaults a catalog file leaves out', () => {
    expect(defineService({ code: 'POTHOLE', name: 'Pothole', group: 'Streets', attributes: [{ code: 'SIZE', datatype: 'singlevaluelist', order: 1, description: 'How big?' }] })).toEqual({
      code: 'POTHOLE',
      name: 'Pothole',
      group: 'Streets',
      description: '',
      keywords: [],
      staffOnly: false,
      active: true,
      attributes: [{ code: 'SIZE', datatype: 'singlevaluelist', order: 1, description: 'How big?', variable: true, required: false, datatypeDescription: 'Choose one', values: [] }],
    });
  });

  it('keeps what the file says over the defaults', () => {
    const service = defineService({ code: 'X', name: 'X', group: 'G', staffOnly: true, attributes: [{ code: 'A', datatype: 'string', order: 1, description: 'Q', datatypeDescription: 'Pole number' }] });
    expect(service.staffOnly).toBe(true);
    expect(service.attributes[0].datatypeDescription).toBe('Pole number');
  });

  it('tells residents’ own channels from those where staff file for them', () => {
    expect(allChannels.filter(isPublicChannel)).toEqual(['web', 'mobile', 'email', 'ivr', 'api']);
    expect(allChannels.filter((channel) => !isPublicChannel(channel))).toEqual(['phone', 'in-person', 'system']);
  });

  it('offers a service only where it may be requested', () => {
    const driveway = defineService({ code: 'D', name: 'D', group: 'G', channels: ['phone', 'web'] });
    const staffOnly = defineService({ code: 'S', name: 'S', group: 'G', staffOnly: true });
    expect(allChannels.filter((channel) => isOfferedOn(driveway, channel))).toEqual(['web', 'phone']);
    expect(allChannels.filter((channel) => isOfferedOn(staffOnly, channel))).toEqual(['phone', 'in-person', 'system']);
    expect(allChannels.filter((channel) => isOfferedOn({ ...driveway, active: false }, channel))).toEqual([]);
  });
});
